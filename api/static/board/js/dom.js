// Building page elements: text always goes in as text (textContent), never as markup.

/** A `tag` element with an optional class and text. */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A button with an id (or none) that runs `onClick`. */
export function button(text, id, onClick) {
  const b = el("button", "", text);
  b.type = "button";
  if (id) b.id = id;
  b.addEventListener("click", onClick);
  return b;
}
