import type { HTMLAttributes, ReactNode } from "react";

/** One column of a DataTable: its header is also the label of its value when a row is a card. */
export interface Column<T> {
  /** Unique in the table (React key). */
  id: string;
  header: string;
  /** The header is for screen readers only (a column of buttons). */
  hideHeader?: boolean;
  /** The row's buttons and links: a card shows them at its foot, without a label. */
  actions?: boolean;
  /** The first column only: a card writes its label before the title (a bare number, say). */
  labelTitle?: boolean;
  /** Class of the column's header and cells ("num", "nowrap", ...). */
  className?: string;
  cell: (row: T) => ReactNode;
}

export interface DataTableProps<T> {
  /** The table's name for screen readers (a visually hidden caption). */
  caption: string;
  /** The first column names the row: its header cell, and the card's title on a narrow screen. */
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement>;
  /** The row's buttons, in a last column whose header (`header`) is for screen readers only. */
  actions?: { header: string; cell: (row: T) => ReactNode } | undefined;
  className?: string;
}

const join = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(" ") || undefined;

/**
 * Every table of the dashboard. Wide enough, a plain table; in a narrow container (a phone, a
 * dialog on a phone; styles/components.css, "data-table") each row becomes a card: the first
 * column as its title, then "label: value" pairs, the actions at its foot. Nothing scrolls
 * sideways.
 *
 * The explicit table roles keep the table semantics when the narrow layout changes the elements'
 * display (some browsers drop them otherwise), so a screen reader reads the same table, with its
 * column headers, at every width. The labels of the cards are hidden from it (the column headers
 * already name each cell).
 */
export function DataTable<T>({ caption, columns: given, rows, rowKey, rowProps, actions, className }: DataTableProps<T>) {
  const columns: readonly Column<T>[] = actions ? [...given, { id: "row-actions", header: actions.header, hideHeader: true, actions: true, cell: actions.cell }] : given;
  return (
    <div className="table-wrap">
      <table className={join("table", "data-table", className)} role="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((column) => (
              <th key={column.id} scope="col" role="columnheader" className={column.className}>
                {column.hideHeader ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((row) => (
            <tr key={rowKey(row)} role="row" {...rowProps?.(row)}>
              {columns.map((column, index) =>
                index === 0 ? (
                  <th key={column.id} scope="row" role="rowheader" className={join("cell-head", column.className)}>
                    {column.labelTitle && (
                      <span className="cell-label" aria-hidden="true">
                        {column.header}{" "}
                      </span>
                    )}
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.id} role="cell" className={join(column.actions && "cell-actions", column.className)}>
                    {!column.actions && (
                      <span className="cell-label" aria-hidden="true">
                        {column.header}
                      </span>
                    )}
                    <div className="cell-value">{column.cell(row)}</div>
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
