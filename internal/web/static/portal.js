// Otklik citizen portal: progressive enhancement only; every page works with JavaScript off.
(function () {
  "use strict";
})();
