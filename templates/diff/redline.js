// Filters by kind: checkboxes hide list entries and clauses of the unchecked kinds (no JavaScript: all shown).
(function () {
  var fieldset = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  if (!fieldset) { return; }
  fieldset.hidden = false;
  var boxes = fieldset.querySelectorAll("input[name=kind]");
  function apply() {
    var on = {};
    boxes.forEach(function (box) { on[box.value] = box.checked; });
    var shown = 0;
    document.querySelectorAll("#change-list li[data-kind]").forEach(function (li) {
      li.hidden = !on[li.getAttribute("data-kind")];
      if (!li.hidden) { shown += 1; }
    });
    document.querySelectorAll("main section[data-kind]").forEach(function (sec) {
      sec.hidden = !on[sec.getAttribute("data-kind")];
    });
    status.textContent = "変更一覧に" + shown + "件を表示しています。";
  }
  fieldset.addEventListener("change", apply);
  apply();
})();
