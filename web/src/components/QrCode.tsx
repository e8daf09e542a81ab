import { useEffect, useState } from "react";
import QRCode from "qrcode";

/** A QR code drawn in the browser from `value` (an otpauth:// URI): the secret never leaves the page. */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(value, { width: size, margin: 1, errorCorrectionLevel: "M" })
      .then((url) => live && setSrc(url))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [value, size]);
  return <div className="qr">{src ? <img src={src} width={size} height={size} alt={label} /> : <span className="spinner" aria-hidden="true" />}</div>;
}
