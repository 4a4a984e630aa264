package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Just enough SVG for the suite's plots: panels with linear axes, ticks, points, lines
 * and text.
 */
final class Svg {

	static final String BLUE = "#1f77b4";

	static final String RED = "#d62728";

	static final String GREEN = "#2ca02c";

	static final String GREY = "#888888";

	private final StringBuilder body = new StringBuilder();

	private final int width;

	private final int height;

	Svg(int width, int height) {
		this.width = width;
		this.height = height;
	}

	Svg text(double x, double y, String text, int size, String anchor, String color) {
		this.body.append(String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"%s\">%s</text>%n", x, y, size,
				anchor, color, escape(text)));
		return this;
	}

	Svg verticalText(double x, double y, String text, int size) {
		this.body.append(String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
				x, y, size, x, y, escape(text)));
		return this;
	}

	Svg line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed) {
		this.body.append(String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n", x1,
				y1, x2, y2, color, width, dashed ? " stroke-dasharray=\"5,4\"" : ""));
		return this;
	}

	Svg circle(double x, double y, double radius, String color) {
		this.body.append(String.format(Locale.ROOT,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.6\"/>%n", x, y, radius,
				color));
		return this;
	}

	Svg rect(double x, double y, double w, double h, String fill, double opacity) {
		this.body.append(String.format(Locale.ROOT,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"/>%n", x,
				y, w, h, fill, opacity));
		return this;
	}

	void write(Path file) throws IOException {
		String svg = String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n%s</svg>%n",
				this.width, this.height, this.width, this.height, this.body);
		Files.writeString(file, svg);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	/**
	 * A rectangle of the picture with linear x and y scales, its axes and grid.
	 */
	static final class Panel {

		private final Svg svg;

		private final double left;

		private final double top;

		private final double w;

		private final double h;

		private final double xMin;

		private final double xMax;

		private final double yMin;

		private final double yMax;

		private double xLabelOffset = 38;

		Panel(Svg svg, double left, double top, double w, double h, double xMin, double xMax, double yMin,
				double yMax) {
			this.svg = svg;
			this.left = left;
			this.top = top;
			this.w = w;
			this.h = h;
			this.xMin = xMin;
			this.xMax = xMax;
			this.yMin = yMin;
			this.yMax = yMax;
		}

		double x(double value) {
			return this.left + (value - this.xMin) / (this.xMax - this.xMin) * this.w;
		}

		double y(double value) {
			return this.top + this.h - (value - this.yMin) / (this.yMax - this.yMin) * this.h;
		}

		Panel xLabelOffset(double offset) {
			this.xLabelOffset = offset;
			return this;
		}

		Panel frame(String title, String xLabel, String yLabel) {
			this.svg.line(this.left, this.top + this.h, this.left + this.w, this.top + this.h, "black", 1, false);
			this.svg.line(this.left, this.top, this.left, this.top + this.h, "black", 1, false);
			this.svg.text(this.left + this.w / 2, this.top - 10, title, 14, "middle", "black");
			this.svg.text(this.left + this.w / 2, this.top + this.h + this.xLabelOffset, xLabel, 12, "middle", "black");
			this.svg.verticalText(this.left - 48, this.top + this.h / 2, yLabel, 12);
			return this;
		}

		Panel xTicks(double[] values, String format) {
			for (double value : values) {
				double x = x(value);
				this.svg.line(x, this.top + this.h, x, this.top + this.h + 5, "black", 1, false);
				this.svg.text(x, this.top + this.h + 18, String.format(Locale.ROOT, format, value), 11, "middle",
						"black");
			}
			return this;
		}

		Panel yTicks(double step, String format) {
			for (double value = Math.ceil(this.yMin / step) * step; value <= this.yMax + 1e-9; value += step) {
				double y = y(value);
				this.svg.line(this.left, y, this.left + this.w, y, "#e5e5e5", 1, false);
				this.svg.line(this.left - 5, y, this.left, y, "black", 1, false);
				this.svg.text(this.left - 8, y + 4, String.format(Locale.ROOT, format, value + 0.0), 11, "end",
						"black");
			}
			return this;
		}

		Panel point(double x, double y, String color) {
			this.svg.circle(x(x), y(clampY(y)), 3, color);
			return this;
		}

		Panel segment(double x1, double y1, double x2, double y2, String color, double width, boolean dashed) {
			this.svg.line(x(x1), y(clampY(y1)), x(x2), y(clampY(y2)), color, width, dashed);
			return this;
		}

		Panel band(double y1, double y2, String color) {
			double top = y(Math.min(this.yMax, Math.max(y1, y2)));
			double bottom = y(Math.max(this.yMin, Math.min(y1, y2)));
			this.svg.rect(this.left, top, this.w, bottom - top, color, 0.12);
			return this;
		}

		Panel label(double x, double y, String text, String color, String anchor) {
			this.svg.text(x(x), y(y), text, 11, anchor, color);
			return this;
		}

		Panel legend(int row, String color, String text) {
			double y = this.top + 14 + row * 16;
			this.svg.circle(this.left + 14, y - 4, 4, color);
			this.svg.text(this.left + 24, y, text, 11, "start", "black");
			return this;
		}

		private double clampY(double value) {
			return Math.max(this.yMin, Math.min(this.yMax, value));
		}

	}

	/**
	 * Round a range's top up to a tidy step for ticks.
	 * @param max the largest value to show
	 * @param ticks about how many ticks
	 * @return the step
	 */
	static double niceStep(double max, int ticks) {
		double raw = max / ticks;
		double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
		for (double factor : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (raw <= factor * magnitude) {
				return factor * magnitude;
			}
		}
		return 10 * magnitude;
	}

}
