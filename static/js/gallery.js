// The gallery's lightbox: a work's link opens its largest image in a modal
// <dialog> (focus moves into it and back; Esc closes it), with its caption;
// the arrow keys and the buttons go to the previous and next work. Without this
// script each link opens the image itself.
(function () {
  "use strict";
  var dialog = document.getElementById("gallery-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var links = Array.prototype.slice.call(document.querySelectorAll(".gallery-open"));
  var image = document.getElementById("gallery-dialog-image");
  var caption = document.getElementById("gallery-dialog-caption");
  var current = -1;
  var opener = null;

  function show(index) {
    current = (index + links.length) % links.length;
    var link = links[current];
    var thumb = link.querySelector("img");
    image.src = link.getAttribute("data-large");
    image.width = Number(link.getAttribute("data-width"));
    image.height = Number(link.getAttribute("data-height"));
    image.alt = thumb ? thumb.alt : "";
    var source = document.getElementById(link.getAttribute("aria-describedby"));
    caption.textContent = source ? source.textContent.replace(/\s+/g, " ").trim() : "";
  }

  links.forEach(function (link, index) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      opener = link;
      show(index);
      dialog.showModal();
      dialog.querySelector("[data-gallery=close]").focus();
    });
  });
  dialog.addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-gallery");
    if (action === "previous") {
      show(current - 1);
    } else if (action === "next") {
      show(current + 1);
    } else if (action === "close" || event.target === dialog) {
      dialog.close();
    }
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") {
      show(current - 1);
    } else if (event.key === "ArrowRight") {
      show(current + 1);
    }
  });
  dialog.addEventListener("close", function () {
    if (opener) {
      opener.focus();
    }
  });
})();
