// Uploads with a real progress bar: fetch() cannot report upload progress, XMLHttpRequest can.
// Same rules as the client: CSRF header, request id, one refresh-and-retry on 401.
import { ApiClient, ApiError, NETWORK_ERROR_TYPE, newRequestId, problemFromResponse } from "./client";

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

function headersOf(xhr: XMLHttpRequest) {
  return { get: (name: string) => xhr.getResponseHeader(name) };
}

function sendOnce<T>(client: ApiClient, path: string, form: FormData, options: UploadOptions): Promise<T | ApiError> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const requestId = newRequestId();
    xhr.open("POST", client.url(path));
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(client.baseHeaders("POST", requestId))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          resolve(undefined as T);
        }
      } else {
        resolve(problemFromResponse(xhr.status, headersOf(xhr), xhr.responseText, requestId));
      }
    };
    xhr.onerror = () => resolve(new ApiError({ status: 0, type: NETWORK_ERROR_TYPE, title: "Network error", requestId }));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

export async function uploadForm<T>(client: ApiClient, path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  const first = await sendOnce<T>(client, path, form, options);
  if (!(first instanceof ApiError)) return first;
  if (first.status === 401 && (await client.refreshOnce())) {
    const second = await sendOnce<T>(client, path, form, options);
    if (!(second instanceof ApiError)) return second;
    throw second;
  }
  throw first;
}
