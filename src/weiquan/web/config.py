"""How the web app runs: mode, cookie security, trusted hosts, upload limit; and the bind check."""

from __future__ import annotations

from dataclasses import dataclass, field
import ipaddress
import socket

from weiquan.errors import InputError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class WebConfig:
    server_mode: bool = False
    behind_proxy: bool = False
    tls: bool = False
    # Host header values accepted (DNS-rebinding guard). None: loopback names only (local mode) / any (server mode).
    allowed_hosts: tuple[str, ...] | None = None
    max_upload_mb: int | None = None  # None: the workspace setting
    max_files_per_upload: int = 200
    login_max_failures: int = 5
    login_window_s: int = 900
    session_max_age_s: int = 12 * 3600
    timeline_page_size: int = 25  # a phone page stays under ~6,000 px
    heavy_workers: int = 2  # uploads/imports/package checks at once (the rest wait their turn, off the event loop)
    # run uploads' imports in worker processes at a lower CPU priority, so that a long import does not slow other
    # users' requests (web/import_workers.py); `weiquan serve --server` turns it on
    import_processes: bool = False
    run_extraction: bool = True  # run queued OCR/ASR jobs in a background thread after an import
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)
    # with behind_proxy: the proxies whose X-Forwarded-For / -Proto are believed (addresses or networks);
    # from any other peer the headers are ignored, so a client cannot choose the address it is throttled by
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    def proxy_options(self) -> dict[str, object]:
        """uvicorn's proxy-header settings for this configuration."""
        if not self.behind_proxy:
            return {"proxy_headers": False, "forwarded_allow_ips": None}
        for p in self.trusted_proxies:
            try:
                ipaddress.ip_network(p, strict=False)
            except ValueError as e:
                raise InputError(f"代理地址无效：{p}", f"invalid proxy address: {p}") from e
        return {"proxy_headers": True, "forwarded_allow_ips": ",".join(self.trusted_proxies)}

    @property
    def secure_cookies(self) -> bool:
        return self.tls or self.behind_proxy

    def hosts(self) -> list[str] | None:
        if self.allowed_hosts is not None:
            return list(self.allowed_hosts) + list(self.extra_hosts)
        if self.server_mode:
            return None
        return ["127.0.0.1", "localhost", "::1", "[::1]", "testserver", *self.extra_hosts]


def is_loopback(host: str) -> bool:
    h = host.strip().strip("[]")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, server_mode: bool, tls: bool, behind_proxy: bool) -> None:
    """Refuse unsafe combinations before the server starts.

    Local mode has no login, so it may only listen on a loopback address. Server mode on a
    non-loopback address needs TLS (``--tls-cert``/``--tls-key``) or an explicit ``--behind-proxy``.
    """
    if is_loopback(host):
        return
    if not server_mode:
        raise InputError(
            f"本地模式没有登录保护，只能监听本机地址（127.0.0.1），不能监听 {host}。多人使用请加 --server。",
            f"local mode has no login and may only listen on a loopback address, not {host}; use --server for multi-user",
        )
    if not (tls or behind_proxy):
        raise InputError(
            f"服务器模式监听 {host} 时必须启用 HTTPS（--tls-cert 和 --tls-key），或声明在 HTTPS 反向代理之后（--behind-proxy）。",
            f"server mode on {host} needs TLS (--tls-cert and --tls-key) or an explicit --behind-proxy",
        )


def check_port_free(host: str, port: int) -> None:
    """Refuse, with a clear message, a port another program already listens on (before any work is done)."""

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            raise InputError(
                f"端口 {port} 已被占用（可能已经有一个 weiquan 或别的程序在运行）。请关掉它，或换一个端口："
                f"weiquan serve --port {port + 1}（示例：make demo PORT={port + 1}）",
                f"port {port} is already in use; stop the other program or choose another port "
                f"(weiquan serve --port {port + 1}, make demo PORT={port + 1})",
            ) from None
