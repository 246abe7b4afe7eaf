// SPDX-License-Identifier: MIT
// The portal's charts: inline SVG written on the server, so a page needs no JavaScript. A
// stacked bar chart (usage per day of a cycle, per hour of the last 48 hours) and a gauge
// of usage against quota. Pure functions of their arguments: integer geometry, no locale,
// the same bytes for the same data. Colours come from the page's stylesheet through the
// classes below, so an operator can brand them; the page puts the data table beside.
//
// Classes used: the root <svg> is "chart chart-bars" or "chart chart-gauge"; grid lines
// "grid", the x axis "axis", axis labels "tick", legend labels "legend", each series' bars
// and legend swatch the series' own css_class; the gauge's track "gauge-track", its fill
// "gauge-fill", its texts "gauge-text" and "gauge-pct", and the fill and percentage also
// "over" when usage passed the quota. Fallbacks in attributes (text and bars in
// currentColor, grey grid, outlined track) keep a page without the stylesheet readable;
// any CSS rule for a class overrides them.
#ifndef FT_CHART_H
#define FT_CHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct chart_series {
    const char *name;       /* legend label, e.g. "Download", "Upload", or a class name */
    const char *css_class;  /* class of the series' bars and swatch, e.g. "s-in" */
    const uint64_t *values; /* n_bars values, bytes; borrowed */
};

/* Writes a stacked bar chart as one <svg> element to out: one bar per label (days "1".."31"
 * of a cycle, or hours), the series stacked bottom-up in order. The y axis goes up to
 * chart_axis_top() of the highest bar, labelled in decimal units ("2 GB", "500 MB"); x
 * labels are thinned to every 2nd, 3rd, 4th, 6th, 8th, 12th, 24th... bar when too many to fit.
 *
 * For screen readers the element is role="img", named by a <title> (title) and a <desc>
 * summing it up ("Total 12.3 GB from 1 to 30 (Download 9.1 GB, Upload 3.2 GB); highest
 * 1.2 GB at 14."); each bar segment has a <title> for hover ("14: Download 812.0 MB").
 * Byte amounts are printed as report_human_bytes() prints them. Sized only by its viewBox,
 * so it takes the width of its container (a phone's too) with CSS width: 100%.
 *
 * id: a prefix for the element ids ("<id>-title", "<id>-desc"), unique in the page, of
 * letters, digits and '-'. title, labels and series names are any text: escaped, with
 * invalid UTF-8 and control characters shown as U+FFFD. labels: n_bars strings. Zero data
 * draws the empty axes, labelled "0 B"; n_bars 0 draws them without x labels. */
void chart_bars(FILE *out, const char *id, const char *title, const char *const *labels,
                size_t n_bars, const struct chart_series *series, size_t n_series);

/* Writes a gauge of used against quota as one <svg> element to out: a horizontal bar filled
 * to min(used, quota) / quota, with the amounts and the percentage as text below it
 * ("12.4 GB of 15.0 GB", "82%"; the percentage truncated, like quota_percent_x100(), so
 * 100% means the quota is reached). Past the quota the bar is full and marked "over", and
 * the desc says by how much. quota 0 means unlimited: no bar, "12.4 GB used" and
 * "unlimited". id and title as for chart_bars(). */
void chart_gauge(FILE *out, const char *id, const char *title, uint64_t used, uint64_t quota);

/* The top of a bar chart's y axis for a highest bar of max bytes: the least of 5, 10, 20,
 * 25, 50, 100, 200, 250, 500... (1, 2, 2.5 or 5 x 10^k) at or above max, chosen so that
 * each of its grid steps is a whole number of bytes. OUT: *n_steps, its grid steps (4 for
 * 2 x 10^k, else 5). 0 with 0 steps for max 0. Above 10^19 the top stays 10^19, and
 * higher bars are cut there. */
uint64_t chart_axis_top(uint64_t max, unsigned *n_steps);

#endif
