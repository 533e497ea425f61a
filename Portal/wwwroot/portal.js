// The browser's IANA time zone, read once per circuit so dates show in the rider's local time.
window.portalTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
