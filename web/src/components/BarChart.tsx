import { useEffect, useRef } from "react";
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { useI18n } from "../i18n/I18nProvider";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A horizontal bar chart (Chart.js on a canvas) with the same figures in a table for screen
 * readers: the canvas itself is hidden from them.
 */
export function BarChart({ labels, values, title, valueLabel }: { labels: string[]; values: number[]; title: string; valueLabel: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { locale, number } = useI18n();
  const data = JSON.stringify([labels, values]);
  useEffect(() => {
    if (!canvas.current) return;
    const [chartLabels, chartValues] = JSON.parse(data) as [string[], number[]];
    const reduced = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
    const accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#4f46e5";
    const chart = new Chart(canvas.current, {
      type: "bar",
      data: { labels: chartLabels, datasets: [{ label: valueLabel, data: chartValues, backgroundColor: accent, borderRadius: 4, maxBarThickness: 22 }] },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 400 },
        locale,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "rgba(15, 23, 42, 0.06)" } },
          y: { grid: { display: false } },
        },
      },
    });
    return () => chart.destroy();
  }, [data, valueLabel, locale]);
  return (
    <figure className="chart">
      <div className={`chart-canvas rows-${Math.min(Math.max(labels.length, 1), 12)}`}>
        <canvas ref={canvas} aria-hidden="true" />
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{number(values[i] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
