/* weiquan: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  /* Multi-file upload with per-file progress: one request per file, so one bad file never
     blocks the others and every file gets its own result. */
  function setupDropzone(form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector('input[type="file"]');
    var list = document.getElementById(form.getAttribute("data-results"));
    var url = form.getAttribute("data-upload-url");
    if (!zone || !input || !list || !url) return;
    var queue = [];
    var busy = false;

    function addFiles(files) {
      for (var i = 0; i < files.length; i++) {
        var f = files[i];
        var row = document.createElement("div");
        row.className = "file";
        var name = document.createElement("div");
        var fname = document.createElement("span");
        fname.setAttribute("data-user", "");  /* the user's own file name */
        fname.textContent = f.name;
        name.appendChild(fname);
        name.appendChild(document.createTextNode("（" + (f.size / 1024 / 1024).toFixed(2) + " MB）"));
        var prog = document.createElement("progress");
        prog.max = 100; prog.value = 0;
        var result = document.createElement("div");
        result.className = "result small muted";
        result.textContent = "等待上传…";
        row.appendChild(name); row.appendChild(prog); row.appendChild(result);
        list.appendChild(row);
        queue.push({ file: f, prog: prog, result: result });
      }
      next();
    }

    function next() {
      if (busy) return;
      var item = queue.shift();
      if (!item) {
        document.body.dispatchEvent(new CustomEvent("uploads-finished"));
        return;
      }
      busy = true;
      var fd = new FormData();
      fd.append("files", item.file, item.file.name);
      var tz = form.querySelector('[name="tz"]');
      if (tz && tz.value) fd.append("tz", tz.value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) item.prog.value = Math.round((e.loaded / e.total) * 100);
        item.result.textContent = item.prog.value < 100 ? "上传中 " + item.prog.value + "%" : "正在读取和保存…";
      };
      xhr.onload = function () {
        item.prog.value = 100;
        item.result.className = "result small";
        item.result.innerHTML = xhr.responseText || ("上传失败（" + xhr.status + "）");
        busy = false; next();
      };
      xhr.onerror = function () {
        item.result.className = "result small alert";
        item.result.textContent = "网络错误，文件未导入，请重试。";
        busy = false; next();
      };
      xhr.send(fd);
    }

    zone.addEventListener("click", function () { input.click(); });
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault(); zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files);
    });
    input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.files && input.files.length) { addFiles(input.files); input.value = ""; }
    });
    form.classList.add("enhanced");
  }

  /* Lender suggestions: clicking a suggestion fills the lender field. */
  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-fill]") : null;
    if (!t) return;
    var field = document.getElementById(t.getAttribute("data-fill"));
    if (field) { field.value = t.getAttribute("data-value"); field.dispatchEvent(new Event("input")); }
    var box = t.closest(".suggest-box"); if (box) box.innerHTML = "";
  });

  /* Confirmation for destructive buttons. */
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  /* Overview bar chart: a tap (touch), a click or keyboard focus on a bar shows its date and count. */
  function showBar(e) {
    var bar = e.target.closest ? e.target.closest(".bars .bar") : null;
    var out = document.getElementById("bar-readout");
    if (!bar || !out) return;
    var on = document.querySelectorAll(".bars .bar.on");
    for (var i = 0; i < on.length; i++) on[i].classList.remove("on");
    bar.classList.add("on");
    out.textContent = bar.getAttribute("data-tip");
  }
  document.addEventListener("click", showBar);
  document.addEventListener("focusin", showBar);
  document.addEventListener("mouseover", showBar);

  /* A link to one finding (#f12) opens the collapsed group that holds it. */
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    var d = el && el.closest ? el.closest("details") : null;
    if (d && !d.open) { d.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);

  /* After a date is confirmed, the "还有 N 条" line follows the count the server sent. */
  document.addEventListener("htmx:afterSettle", function () {
    var line = document.getElementById("dates-left");
    var done = document.querySelectorAll("[data-dates-left]");
    if (!line || !done.length) return;
    var n = Infinity;  /* the latest confirmation carries the smallest count */
    for (var i = 0; i < done.length; i++) n = Math.min(n, parseInt(done[i].getAttribute("data-dates-left"), 10));
    line.textContent = n === 0 ? "全部确认完了。" : "还有 " + n + " 条记录的日期待确认。";
  });

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-upload-url]");
    for (var i = 0; i < forms.length; i++) setupDropzone(forms[i]);
    openTarget();
  });
})();
