//! The health page's charts: drawn on the server as SVG by plotters from the daily summary
//! rows, so the page needs no script and the figures survive trace retention.

use jiff::civil::Date;
use plotters::prelude::*;

/// One line of a chart.
pub struct Line<'a> {
    /// Its legend.
    pub label: &'a str,
    /// Its colour.
    pub color: RGBColor,
    /// One value per day (none: no point that day).
    pub values: Vec<Option<f64>>,
}

/// Colours with enough contrast on white.
pub const BLUE: RGBColor = RGBColor(31, 95, 191);
/// Green.
pub const GREEN: RGBColor = RGBColor(27, 110, 58);
/// Red.
pub const RED: RGBColor = RGBColor(164, 22, 26);
/// Purple.
pub const PURPLE: RGBColor = RGBColor(106, 44, 145);

/// What a chart's values are: counts get whole numbers on the axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// How many.
    Counts,
    /// Measured (milliseconds, percent).
    Measures,
}

/// A line chart over `days` as an SVG document (empty if it cannot be drawn).
pub fn lines(title: &str, days: &[Date], values: Values, lines: &[Line<'_>]) -> String {
    let mut svg = String::new();
    if let Err(error) = draw(&mut svg, title, days, values, lines) {
        tracing::warn!(%error, title, "drawing a chart failed");
        return String::new();
    }
    svg
}

fn draw(
    svg: &mut String,
    title: &str,
    days: &[Date],
    values: Values,
    lines: &[Line<'_>],
) -> Result<(), Box<dyn std::error::Error>> {
    let n = days.len().max(1);
    let top = lines.iter().flat_map(|l| l.values.iter().flatten()).fold(0.0_f64, |a, b| a.max(*b));
    let top = if top <= 0.0 { 1.0 } else { top * 1.15 };
    let root = SVGBackend::with_string(svg, (560, 260)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(0..(n as i32 - 1).max(1), 0.0..top)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|i| {
            days.get(*i as usize).map_or_else(String::new, |d| format!("{:02}.{:02}.", d.day(), d.month()))
        })
        .y_labels(5)
        .y_label_formatter(&|v| match values {
            Values::Counts if v.fract() != 0.0 => String::new(),
            Values::Counts => format!("{v:.0}"),
            Values::Measures => format!("{v:.1}"),
        })
        .light_line_style(RGBColor(236, 238, 243))
        .label_style(("sans-serif", 11))
        .draw()?;
    for line in lines {
        let color = line.color;
        let points: Vec<(i32, f64)> =
            line.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as i32, v))).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(line.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 2, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(216, 220, 229))
        .label_font(("sans-serif", 11))
        .draw()?;
    root.present()?;
    Ok(())
}
