// The counter's keyboard: "/" jumps to the service search (unless typing in a field);
// Escape leaves it. Access keys (Alt+S, W, T, C, R) are plain HTML accesskey attributes.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  var search = document.getElementById("console-q");
  if (!search) return;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === "Escape" && target === search) {
    search.blur();
  }
});
