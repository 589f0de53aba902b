// saveFile hands bytes to the browser as a download named name. The page
// keeps no copy: the caller wipes its array once the Blob holds the bytes.
export function saveFile(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Freed once the browser surely started the download (revoking at
  // once can cancel it in some browsers).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
