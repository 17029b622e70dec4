/** Saves `content` as a file named `name`, as the browser saves a download (an object URL, clicked). */
export const downloadFile = (name: string, content: Blob) => {
  const url = URL.createObjectURL(content);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click's task: the download has taken the URL by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
};
