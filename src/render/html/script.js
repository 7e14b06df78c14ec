// logtriage report -f html: progressive enhancement only. Without this script every table
// and chart is already complete; with it, header clicks sort a table and a box filters its
// rows. It reads the page's own tables and loads nothing.
(function () {
  "use strict";
  function key(cell, numeric) {
    if (!cell) return numeric ? -Infinity : "";
    if (numeric) {
      var v = cell.getAttribute("data-v");
      var n = v === null || v === "" ? NaN : Number(v);
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent.toLowerCase();
  }
  function sortBy(table, col, numeric, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var desc = th.getAttribute("aria-sort") !== "descending";
    rows.sort(function (a, b) {
      var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -c : c;
    });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", desc ? "descending" : "ascending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function addFilter(table) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.placeholder = "filter rows";
    box.setAttribute("aria-label", "filter rows of this table");
    box.addEventListener("input", function () {
      var q = box.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.style.display = !q || r.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
    table.parentNode.parentNode.insertBefore(box, table.parentNode);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.title = "sort";
      th.addEventListener("click", function () {
        sortBy(table, col, th.getAttribute("data-sort") === "num", th);
      });
    });
    if (table.tBodies[0].rows.length > 5) addFilter(table);
  });
})();
