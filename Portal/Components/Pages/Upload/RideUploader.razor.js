// Browser side of RideUploader: keeps the picked files, sends them straight to the resumable upload
// API (/api/uploads: create, PATCH chunks at Upload-Offset, resume from the server's offset after a
// network error, complete) and reports progress to the component a few times a second.
// The bytes never travel through the Blazor circuit.

const uploaders = new Map();
const reportIntervalMs = 250;
const maxResumeAttempts = 8;
const maxParallelTransfers = 2;

export function init(id, dotNet, dropZone, input, options) {
    dispose(id);
    const uploader = {
        dotNet, dropZone, input, options,
        files: new Map(),
        queue: [],
        active: 0,
        nextKey: 1,
        listeners: [],
    };
    uploaders.set(id, uploader);

    const listen = (target, type, handler) => {
        target.addEventListener(type, handler);
        uploader.listeners.push(() => target.removeEventListener(type, handler));
    };
    const over = event => {
        event.preventDefault();
        dropZone.classList.add("ride-dropzone-over");
    };
    listen(dropZone, "dragenter", over);
    listen(dropZone, "dragover", over);
    listen(dropZone, "dragleave", () => dropZone.classList.remove("ride-dropzone-over"));
    listen(dropZone, "drop", event => {
        event.preventDefault();
        dropZone.classList.remove("ride-dropzone-over");
        announce(uploader, event.dataTransfer?.files);
    });
    listen(input, "change", () => {
        announce(uploader, input.files);
        input.value = ""; // the same file may be picked again later
    });
    // Leaving the page would cut running transfers: ask first.
    listen(window, "beforeunload", event => {
        if (uploader.active > 0) {
            event.preventDefault();
        }
    });
}

export function start(id, key, riderId, source) {
    const uploader = uploaders.get(id);
    const entry = uploader?.files.get(key);
    if (!entry || entry.started) {
        return;
    }
    entry.started = true;
    entry.riderId = riderId;
    entry.source = source;
    uploader.queue.push(entry);
    pump(uploader);
}

export function cancel(id, key) {
    const uploader = uploaders.get(id);
    const entry = uploader?.files.get(key);
    if (!entry) {
        return;
    }
    entry.cancelled = true;
    entry.xhr?.abort();
    uploader.queue = uploader.queue.filter(e => e !== entry);
    if (entry.sessionId) {
        // Give up the session so its parts are deleted now rather than by the nightly clean-up.
        request(uploader, "DELETE", `/api/uploads/${entry.sessionId}`).catch(() => { });
    }
    uploader.files.delete(key);
}

/** Drops a file the component refused (e.g. too large) without sending it. */
export function forget(id, key) {
    uploaders.get(id)?.files.delete(key);
}

export function dispose(id) {
    const uploader = uploaders.get(id);
    if (!uploader) {
        return;
    }
    uploaders.delete(id);
    uploader.listeners.forEach(remove => remove());
    for (const entry of uploader.files.values()) {
        // Sessions left open are resumable for a while and then cleaned up by the server.
        entry.cancelled = true;
        entry.xhr?.abort();
    }
    uploader.files.clear();
}

function announce(uploader, fileList) {
    if (!fileList || fileList.length === 0) {
        return;
    }
    const picked = [];
    for (const file of fileList) {
        const key = `f${uploader.nextKey++}`;
        uploader.files.set(key, { key, file, started: false, cancelled: false });
        picked.push({ key, name: file.name, size: file.size });
    }
    notify(uploader, "FilesPicked", picked);
}

function pump(uploader) {
    while (uploader.active < maxParallelTransfers && uploader.queue.length > 0) {
        const entry = uploader.queue.shift();
        uploader.active++;
        transfer(uploader, entry).finally(() => {
            uploader.active--;
            pump(uploader);
        });
    }
}

async function transfer(uploader, entry) {
    const { file } = entry;
    const meter = speedMeter();
    try {
        const created = await withResume(uploader, entry, () => request(uploader, "POST", "/api/uploads", JSON.stringify({
            fileName: file.name, size: file.size, riderId: entry.riderId, source: entry.source,
        }), { "Content-Type": "application/json" }));
        if (!created) {
            return;
        }
        entry.sessionId = created.body.id;
        let offset = created.body.offset ?? 0;
        progress(uploader, entry, offset, meter, true);

        const chunkSize = uploader.options.chunkBytes;
        let attempt = 0;
        while (offset < file.size) {
            if (entry.cancelled) {
                return;
            }
            const end = Math.min(offset + chunkSize, file.size);
            const response = await sendChunk(uploader, entry, offset, file.slice(offset, end), meter);
            if (entry.cancelled) {
                return;
            }
            if (response.status === 200) {
                offset = response.body.offset;
                attempt = 0;
                progress(uploader, entry, offset, meter, true);
                continue;
            }
            // 507: the server's storage is full; retrying at once does not help, so its message is shown.
            if (response.status === 0 || (response.status >= 500 && response.status !== 507) || response.body?.code === "upload_offset_mismatch" || response.body?.code === "upload_interrupted") {
                // Network cut or server hiccup: wait, ask where the server stands, continue from there.
                attempt++;
                if (attempt > maxResumeAttempts) {
                    refuse(uploader, entry, response, "The connection failed too often; try again later.");
                    return;
                }
                notify(uploader, "Resuming", entry.key, attempt);
                await delay(Math.min(1000 * 2 ** (attempt - 1), 15000));
                const where = await request(uploader, "GET", `/api/uploads/${entry.sessionId}`);
                if (where.status === 200) {
                    offset = where.body.offset;
                }
                meter.reset();
                continue;
            }
            refuse(uploader, entry, response);
            return;
        }

        const completed = await withResume(uploader, entry, () => request(uploader, "POST", `/api/uploads/${entry.sessionId}/complete`));
        if (!completed) {
            return;
        }
        const ride = completed.body.ride;
        notify(uploader, "Completed", entry.key, {
            rideId: ride.id,
            duplicate: completed.body.duplicate === true,
            status: ride.status,
            progressPercent: ride.progressPercent ?? 0,
            failureCode: ride.failure?.code ?? null,
            failureMessage: ride.failure?.message ?? null,
        });
    } catch (error) {
        if (!entry.cancelled) {
            notify(uploader, "Refused", entry.key, "upload_failed", `The upload failed in the browser: ${error}`);
        }
    } finally {
        entry.xhr = null;
        uploader.files.delete(entry.key);
    }
}

/** Runs a small request, retrying transient failures; null when the file was refused or cancelled. */
async function withResume(uploader, entry, send) {
    for (let attempt = 1; ; attempt++) {
        const response = await send();
        if (entry.cancelled) {
            return null;
        }
        if (response.status >= 200 && response.status < 300) {
            return response;
        }
        if ((response.status === 0 || (response.status >= 500 && response.status !== 507)) && attempt <= maxResumeAttempts) {
            notify(uploader, "Resuming", entry.key, attempt);
            await delay(Math.min(1000 * 2 ** (attempt - 1), 15000));
            continue;
        }
        refuse(uploader, entry, response);
        return null;
    }
}

function refuse(uploader, entry, response, fallback) {
    const body = response.body ?? {};
    const code = body.code ?? (response.status === 0 ? "network_error" : `http_${response.status}`);
    const message = fallback && response.status === 0 ? fallback : (body.detail ?? body.title ?? fallback ?? `The server answered ${response.status}.`);
    notify(uploader, "Refused", entry.key, code, message);
}

function sendChunk(uploader, entry, offset, blob, meter) {
    return new Promise(resolve => {
        const xhr = new XMLHttpRequest();
        entry.xhr = xhr;
        xhr.open("PATCH", `/api/uploads/${entry.sessionId}`);
        xhr.setRequestHeader("Upload-Offset", String(offset));
        xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
        setAntiforgery(uploader, xhr);
        xhr.upload.onprogress = event => progress(uploader, entry, offset + event.loaded, meter, false);
        xhr.onload = () => resolve({ status: xhr.status, body: parse(xhr.responseText) });
        xhr.onerror = () => resolve({ status: 0, body: null });
        xhr.ontimeout = () => resolve({ status: 0, body: null });
        xhr.onabort = () => resolve({ status: 0, body: null, aborted: true });
        xhr.send(blob);
    });
}

function request(uploader, method, url, body, headers) {
    return new Promise(resolve => {
        const xhr = new XMLHttpRequest();
        xhr.open(method, url);
        for (const [name, value] of Object.entries(headers ?? {})) {
            xhr.setRequestHeader(name, value);
        }
        setAntiforgery(uploader, xhr);
        xhr.onload = () => resolve({ status: xhr.status, body: parse(xhr.responseText) });
        xhr.onerror = () => resolve({ status: 0, body: null });
        xhr.ontimeout = () => resolve({ status: 0, body: null });
        xhr.send(body ?? null);
    });
}

function setAntiforgery(uploader, xhr) {
    const { antiforgeryHeader, antiforgeryToken } = uploader.options;
    if (antiforgeryHeader && antiforgeryToken) {
        xhr.setRequestHeader(antiforgeryHeader, antiforgeryToken);
    }
}

function progress(uploader, entry, sent, meter, force) {
    const now = performance.now();
    meter.add(now, sent);
    if (!force && now - (entry.lastReport ?? 0) < reportIntervalMs) {
        return;
    }
    entry.lastReport = now;
    notify(uploader, "Progress", entry.key, sent, meter.bytesPerSecond());
}

/** Speed over the last few seconds, so a stall shows quickly and a burst does not dominate. */
function speedMeter() {
    let samples = [];
    return {
        add(time, bytes) {
            samples.push([time, bytes]);
            while (samples.length > 2 && time - samples[0][0] > 5000) {
                samples.shift();
            }
        },
        bytesPerSecond() {
            if (samples.length < 2) {
                return 0;
            }
            const [t0, b0] = samples[0];
            const [t1, b1] = samples[samples.length - 1];
            return t1 > t0 ? Math.max(0, (b1 - b0) * 1000 / (t1 - t0)) : 0;
        },
        reset() {
            samples = [];
        },
    };
}

function notify(uploader, method, ...args) {
    uploader.dotNet.invokeMethodAsync(method, ...args).catch(() => {
        // The page was closed or the circuit is gone: nothing left to tell.
    });
}

function parse(text) {
    try {
        return text ? JSON.parse(text) : null;
    } catch {
        return null;
    }
}

function delay(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}
