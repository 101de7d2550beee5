/** A modal confirmation (a native <dialog>) before what cannot be undone: ban, end the show. */
import { byId } from "../dom";

export function confirmAction(
  title: string,
  detail: string,
  confirmLabel: string,
  /** The safe choice's label, when "Cancel" would be ambiguous (cancelling a show). */
  dismissLabel = "Cancel",
): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm-dialog");
  byId("confirm-title").textContent = title;
  byId("confirm-detail").textContent = detail;
  const confirm = byId<HTMLButtonElement>("confirm-ok");
  const cancel = byId<HTMLButtonElement>("confirm-cancel");
  confirm.textContent = confirmLabel;
  cancel.textContent = dismissLabel;
  return new Promise((resolve) => {
    const finish = (answer: boolean): void => {
      confirm.removeEventListener("click", onConfirm);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onConfirm = (): void => finish(true);
    const onCancel = (): void => finish(false);
    const onClose = (): void => finish(false); // Escape
    confirm.addEventListener("click", onConfirm);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}
