// Charts drawn on the server as SVG (d3-scale for the axes, d3-shape for lines): no script, no
// inline styles (colours come from classes in the style sheet), readable in print. Each chart is
// an image with a title; the numbers are in the table beside it. Each mark also carries its figure
// (a tooltip, and data-value for checks).
import { scaleBand, scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';
import { html, type SafeHtml } from './html.ts';

export interface Series {
  name: string;
  values: readonly (number | null)[];
}

interface ChartInput {
  id: string;
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  /** How a value reads on the axis ("3 days", "80 %"). */
  format: (value: number) => string;
}

const width = 640;
const margin = { top: 16, right: 24, bottom: 28, left: 170 };

function legend(series: readonly Series[]): SafeHtml {
  return html`<ul class="legend" aria-hidden="true">
    ${series.map((item, index) => html`<li><span class="swatch series-${index % 4}"></span>${item.name}</li>`)}
  </ul>`;
}

/** Horizontal bars, one group per category, one bar per series. */
/** The frame every chart shares: the labelled image, its axis group, its marks and the legend. */
function chartFrame(input: ChartInput, height: number, axis: SafeHtml, marks: SafeHtml): SafeHtml {
  return html`<figure class="chart" id="${input.id}">
    <svg
      viewBox="0 0 ${width} ${height}"
      role="img"
      aria-labelledby="${input.id}-title"
      preserveAspectRatio="xMinYMin meet"
    >
      <title id="${input.id}-title">${input.title}</title>
      <g class="axis">${axis}</g>
      ${marks}
    </svg>
    ${legend(input.series)}
  </figure>`;
}

/** A grid line across the plot and its value label. */
function gridTick(
  at: { x1: number; x2: number; y1: number; y2: number },
  label: { x: number; y: number; anchor: 'middle' | 'end' },
  text: string,
): SafeHtml {
  return html`<line class="grid" x1="${at.x1}" x2="${at.x2}" y1="${at.y1}" y2="${at.y2}"></line>
    <text x="${label.x}" y="${label.y}" text-anchor="${label.anchor}">${text}</text>`;
}

export function barChart(input: ChartInput): SafeHtml {
  const rowHeight = 14 * Math.max(1, input.series.length) + 10;
  const height = margin.top + margin.bottom + Math.max(1, input.categories.length) * rowHeight;
  const max = Math.max(1, ...input.series.flatMap((item) => item.values.map((value) => value ?? 0)));
  const x = scaleLinear()
    .domain([0, max])
    .nice(4)
    .range([margin.left, width - margin.right]);
  const y = scaleBand()
    .domain(input.categories)
    .range([margin.top, height - margin.bottom])
    .padding(0.2);
  const inner = scaleBand<number>()
    .domain(input.series.map((_, index) => index))
    .range([0, y.bandwidth()])
    .padding(0.1);
  const ticks = x.ticks(4);
  return chartFrame(
    input,
    height,
    html`${ticks.map((tick) =>
      gridTick(
        { x1: x(tick), x2: x(tick), y1: margin.top, y2: height - margin.bottom },
        { x: x(tick), y: height - margin.bottom + 16, anchor: 'middle' },
        input.format(tick),
      ),
    )}
    ${input.categories.map(
      (category) =>
        html`<text x="${margin.left - 8}" y="${(y(category) ?? 0) + y.bandwidth() / 2 + 4}" text-anchor="end"
          >${category.length > 28 ? `${category.slice(0, 27)}…` : category}</text
        >`,
    )} `,
    html`${input.series.map((item, index) =>
      input.categories.map((category, position) => {
        const value = item.values[position];
        if (value == null) return '';
        return html`<rect
          class="series-${index % 4}"
          x="${margin.left}"
          y="${(y(category) ?? 0) + (inner(index) ?? 0)}"
          width="${Math.max(0, x(value) - margin.left)}"
          height="${inner.bandwidth()}"
          data-series="${item.name}"
          data-category="${category}"
          data-value="${value}"
        >
          <title>${category}, ${item.name}: ${input.format(value)}</title>
        </rect>`;
      }),
    )}`,
  );
}

/** Lines over periods (months), one per series; missing values break the line. */
export function lineChart(input: ChartInput): SafeHtml {
  const height = 240;
  const max = Math.max(1, ...input.series.flatMap((item) => item.values.map((value) => value ?? 0)));
  const x = scalePoint()
    .domain(input.categories)
    .range([margin.left - 110, width - margin.right])
    .padding(0.3);
  const y = scaleLinear()
    .domain([0, max])
    .nice(4)
    .range([height - margin.bottom, margin.top]);
  const ticks = y.ticks(4);
  const path = line<number | null>()
    .defined((value) => value !== null)
    .x((_, index) => x(input.categories[index] ?? '') ?? 0)
    .y((value) => y(value ?? 0));
  return chartFrame(
    input,
    height,
    html`${ticks.map((tick) =>
      gridTick(
        { x1: margin.left - 110, x2: width - margin.right, y1: y(tick), y2: y(tick) },
        { x: margin.left - 114, y: y(tick) + 4, anchor: 'end' },
        input.format(tick),
      ),
    )}
    ${input.categories.map(
      (category) =>
        html`<text x="${x(category) ?? 0}" y="${height - margin.bottom + 16}" text-anchor="middle"
          >${category}</text
        >`,
    )} `,
    html`${input.series.map(
      (item, index) =>
        html`<path class="line series-${index % 4}" d="${path([...item.values]) ?? ''}"></path>
          ${item.values.map((value, position) =>
            value === null
              ? ''
              : html`<circle
                  class="series-${index % 4}"
                  r="3.5"
                  cx="${x(input.categories[position] ?? '') ?? 0}"
                  cy="${y(value)}"
                  data-series="${item.name}"
                  data-category="${input.categories[position] ?? ''}"
                  data-value="${value}"
                >
                  <title>${input.categories[position] ?? ''}, ${item.name}: ${input.format(value)}</title>
                </circle>`,
          )}`,
    )}`,
  );
}
