"""``weiquan serve`` (the web interface) and ``weiquan user …`` (accounts for server mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, print_json, print_table, workspace
from weiquan.errors import InputError
from weiquan.services import users
from weiquan.web import create_app
from weiquan.web.config import WebConfig, check_bind, check_port_free


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    user_app = typer.Typer(
        help="管理网页服务器模式的账号 Manage accounts for the web server mode.", no_args_is_help=True
    )
    user_app.command("add")(user_add)
    user_app.command("list")(user_list)
    user_app.command("passwd")(user_passwd)
    user_app.command("disable")(user_disable)
    user_app.command("enable")(user_enable)
    app.add_typer(user_app, name="user")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="监听地址 Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 Port.")] = 8000,
    server: Annotated[
        bool, typer.Option("--server", help="多用户服务器模式（需要登录） Multi-user server mode with accounts.")
    ] = False,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="在 HTTPS 反向代理之后运行 Running behind an HTTPS reverse proxy (trust X-Forwarded-*).",
        ),
    ] = False,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="TLS 证书文件 TLS certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="TLS 私钥文件 TLS private key (PEM).")] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="允许的主机名（可多次） Host names the server answers to (repeatable)."),
    ] = None,
    proxy_ip: Annotated[
        list[str] | None,
        typer.Option(
            "--proxy-ip",
            help="与 --behind-proxy 一起：只信任这些代理地址发来的 X-Forwarded-For（可多次，默认 127.0.0.1 与 ::1）"
            " With --behind-proxy: trust X-Forwarded-For only from these proxy addresses/networks "
            "(repeatable; default 127.0.0.1 and ::1).",
        ),
    ] = None,
) -> None:
    """启动网页界面（默认只在本机 127.0.0.1 访问）。Start the web interface (local, single user by default)."""
    import uvicorn

    if (tls_cert is None) != (tls_key is None):
        raise InputError("--tls-cert 和 --tls-key 必须同时提供", "--tls-cert and --tls-key must be given together")
    for p in (tls_cert, tls_key):
        if p is not None and not p.is_file():
            raise InputError(f"找不到文件：{p}", f"no such file: {p}")
    tls = tls_cert is not None
    check_bind(host, server_mode=server, tls=tls, behind_proxy=behind_proxy)
    check_port_free(host, port)
    ws = workspace(ctx)
    if server and not users.list_users(ws):
        raise InputError(
            "服务器模式需要至少一个账号。请先运行：weiquan user add 用户名 --role admin",
            "server mode needs at least one account; first run: weiquan user add NAME --role admin",
        )
    config = WebConfig(
        server_mode=server,
        behind_proxy=behind_proxy,
        tls=tls,
        import_processes=server,
        allowed_hosts=tuple(allowed_host) if allowed_host else None,
        **({"trusted_proxies": tuple(proxy_ip)} if proxy_ip else {}),
    )
    proxy = config.proxy_options()
    app = create_app(ws, config=config)
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    console().print(f"网页界面已启动 Web UI running: {scheme}://{shown}:{port}/  （按 Ctrl+C 停止 / Ctrl+C to stop）")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        **proxy,  # type: ignore[arg-type]  # uvicorn's keyword types are narrower than this dict's values, checked above
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )


def _password(password: str | None) -> str:
    if password is not None:
        return password
    return str(typer.prompt("密码 Password", hide_input=True, confirmation_prompt=True))


def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 Username.")],
    role: Annotated[str, typer.Option("--role", help="角色 borrower|advocate|admin Role.")] = "borrower",
    display_name: Annotated[str | None, typer.Option("--name", help="显示名 Display name.")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="密码（不给则提示输入） Password (prompted when omitted).")
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """新建账号。Create an account."""
    u = users.create_user(workspace(ctx), username, _password(password), role=role, display_name=display_name)
    if json_:
        print_json(u)
    else:
        console().print(f"已创建账号 Created user {u.username}（{users.ROLE_NAMES_ZH[u.role]} {u.role}）")


def user_list(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """列出账号。List accounts."""
    items = users.list_users(workspace(ctx))
    if json_:
        print_json(items)
        return
    print_table(
        "账号 Users",
        ["ID", "用户名 username", "角色 role", "显示名 name", "状态 status"],
        [(u.id, u.username, u.role, u.display_name, "停用 disabled" if u.disabled else "正常 active") for u in items],
    )


def user_passwd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 Username.")],
    password: Annotated[str | None, typer.Option("--password", help="新密码 New password.")] = None,
) -> None:
    """修改密码。Set a new password."""
    users.set_password(workspace(ctx), username, _password(password))
    console().print(f"已修改密码 Password changed: {username}")


def user_disable(ctx: typer.Context, username: Annotated[str, typer.Argument(help="用户名 Username.")]) -> None:
    """停用账号。Disable an account."""
    users.set_disabled(workspace(ctx), username, True)
    console().print(f"已停用 Disabled: {username}")


def user_enable(ctx: typer.Context, username: Annotated[str, typer.Argument(help="用户名 Username.")]) -> None:
    """启用账号。Enable an account."""
    users.set_disabled(workspace(ctx), username, False)
    console().print(f"已启用 Enabled: {username}")
