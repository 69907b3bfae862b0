// The page's one DOM helper, shared by main.ts and train.ts.

/** The element `selector` names; a missing one is a broken page, so it throws. */
export const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (element === null) throw new Error(`missing element ${selector}`);
  return element;
};
