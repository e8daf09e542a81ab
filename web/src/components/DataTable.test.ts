import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, type Column } from "./DataTable";

interface Row {
  id: number;
  name: string;
  state: string;
}

const columns: Column<Row>[] = [
  { id: "name", header: "Name", cell: (r) => r.name },
  { id: "state", header: "State", className: "nowrap", cell: (r) => r.state },
];
const actions = { header: "Actions", cell: (r: Row) => createElement("button", { type: "button" }, `Open ${r.name}`) };

function render(rowsOf: Row[] = [{ id: 1, name: "Luna", state: "Active" }]) {
  return renderToStaticMarkup(createElement(DataTable<Row>, { caption: "Personas", columns, actions, rows: rowsOf, rowKey: (r) => r.id, rowProps: (r) => (r.id === 1 ? { className: "is-selected" } : {}) }));
}

describe("DataTable", () => {
  it("is a table with explicit roles, a caption and column headers", () => {
    const html = render();
    expect(html).toContain('<table class="table data-table" role="table"><caption class="visually-hidden">Personas</caption>');
    expect(html).toContain('<th scope="col" role="columnheader">Name</th>');
    expect(html).toContain('<th scope="col" role="columnheader" class="nowrap">State</th>');
    expect(html).toContain('<th scope="col" role="columnheader"><span class="visually-hidden">Actions</span></th>');
  });

  it("makes the first column the row header, the card's title", () => {
    expect(render()).toContain('<tr role="row" class="is-selected"><th scope="row" role="rowheader" class="cell-head">Luna</th>');
  });

  it("labels each value for the card layout, hidden from screen readers", () => {
    expect(render()).toContain('<td role="cell" class="nowrap"><span class="cell-label" aria-hidden="true">State</span><div class="cell-value">Active</div></td>');
  });

  it("puts no label on the actions", () => {
    expect(render()).toContain('<td role="cell" class="cell-actions"><div class="cell-value"><button type="button">Open Luna</button></div></td>');
  });

  it("renders a row per item", () => {
    const html = render([
      { id: 1, name: "Luna", state: "Active" },
      { id: 2, name: "Nova", state: "Draft" },
    ]);
    expect(html.match(/role="rowheader"/g)).toHaveLength(2);
  });
});
