// The browser's IANA time zone, read once per circuit so dates show in the rider's local time.
window.portalTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
// Copies a text (a command line shown on the page) to the clipboard.
window.portalCopy = (text) => navigator.clipboard.writeText(text);
