/**
 * The storefront's checkout in a new tab. Browsers let a page open a tab only in the tap's
 * own user gesture, and the checkout URL arrives later (the cart is sold first): so the tab is
 * opened at the tap, blank, and sent to the URL when it arrives (or closed if the checkout
 * failed). It cannot reach back to this page (no `opener`).
 */
export class CheckoutTab {
  private constructor(private readonly tab: Window) {}

  /** Null when the browser blocked it (the drawer then offers the checkout as a link). */
  static open(): CheckoutTab | null {
    let tab: Window | null = null;
    try {
      tab = window.open("", "_blank");
    } catch {
      return null;
    }
    if (!tab) return null;
    tab.opener = null;
    try {
      tab.document.title = "Checkout";
      tab.document.body.style.font = "16px system-ui, sans-serif";
      tab.document.body.textContent = "Opening the checkout…";
    } catch {
      // not ours to write (a browser that opened it elsewhere): the URL follows anyway
    }
    return new CheckoutTab(tab);
  }

  go(url: string): void {
    this.tab.location.replace(url);
  }

  close(): void {
    this.tab.close();
  }
}
