import { useEffect } from "react";

/** Sets the document title for a page (`null` keeps the shop's own). */
export function usePageTitle(title: string | null): void {
  useEffect(() => {
    document.title = title ? `${title} — NitePutter` : "NitePutter — putting lights for the green after dark";
  }, [title]);
}
