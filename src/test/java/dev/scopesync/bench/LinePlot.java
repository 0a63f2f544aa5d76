package dev.scopesync.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A line plot drawn with Java2D, for benchmark figures without a charting dependency: panels
 * stacked vertically that share one x axis, each with its own title, unit, y axis from zero and
 * legend. Zero-based y axes are on purpose: a reader sees growth at its true size, and noise of a
 * few units does not look like a leak. A NaN value leaves a gap.
 *
 * <p>Immutable and thread-safe. Rendering needs no display; {@link #writePng} sets {@code
 * java.awt.headless} when nobody has.
 */
public final class LinePlot {
  /** Colors that stay apart for colour-blind readers (Okabe–Ito). */
  public static final Color BLUE = new Color(0, 114, 178);

  public static final Color ORANGE = new Color(230, 159, 0);
  public static final Color GREEN = new Color(0, 158, 115);
  public static final Color VERMILION = new Color(213, 94, 0);
  public static final Color PURPLE = new Color(204, 121, 167);
  public static final Color BACKGROUND = Color.WHITE;

  private static final Color INK = new Color(40, 40, 40);
  private static final Color GRID = new Color(225, 225, 225);
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TITLE_HEIGHT = 44;
  private static final int SUBTITLE_HEIGHT = 20;
  private static final int PANEL_TOP = 30;
  private static final int PANEL_BOTTOM = 34;
  private static final int X_LABEL_HEIGHT = 26;

  /** One line: its legend name, values (one per x, NaN for none), colour and dash. */
  public record Series(String name, double[] values, Color color, boolean dashed) {
    public Series {
      if (name == null || values == null || color == null) {
        throw new IllegalArgumentException("a series needs a name, values and a color");
      }
      values = values.clone();
    }

    public static Series solid(String name, Color color, double[] values) {
      return new Series(name, values, color, false);
    }

    public static Series dashed(String name, Color color, double[] values) {
      return new Series(name, values, color, true);
    }
  }

  /** One chart of the figure: a title, the unit of its y axis and its lines. */
  public record Panel(String title, String unit, List<Series> series) {
    public Panel {
      if (title == null || unit == null || series == null || series.isEmpty()) {
        throw new IllegalArgumentException("a panel needs a title, a unit and at least one series");
      }
      series = List.copyOf(series);
    }
  }

  private final String title;
  private final String subtitle;
  private final String xLabel;
  private final double[] x;
  private final List<Panel> panels;

  private LinePlot(String title, String subtitle, String xLabel, double[] x, List<Panel> panels) {
    this.title = title;
    this.subtitle = subtitle;
    this.xLabel = xLabel;
    this.x = x;
    this.panels = panels;
  }

  /** The same plot with a line of smaller text under the title (conditions, caveats). */
  public LinePlot withSubtitle(String text) {
    return new LinePlot(title, text, xLabel, x, panels);
  }

  /**
   * @param x the shared x values, strictly increasing; every series has one value per x
   * @throws IllegalArgumentException when x is empty or not increasing, or a series' length differs
   */
  public static LinePlot of(String title, String xLabel, double[] x, List<Panel> panels) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no x values");
    }
    for (int i = 1; i < x.length; i++) {
      if (!(x[i] > x[i - 1])) {
        throw new IllegalArgumentException(
            "x values must increase: x[" + i + "]=" + x[i] + " after " + x[i - 1]);
      }
    }
    if (panels.isEmpty()) {
      throw new IllegalArgumentException("no panels");
    }
    for (Panel panel : panels) {
      for (Series s : panel.series()) {
        if (s.values().length != x.length) {
          throw new IllegalArgumentException(
              "series '"
                  + s.name()
                  + "' in '"
                  + panel.title()
                  + "' has "
                  + s.values().length
                  + " values for "
                  + x.length
                  + " x values");
        }
      }
    }
    return new LinePlot(title, null, xLabel, x.clone(), List.copyOf(panels));
  }

  public void writePng(Path file, int width, int height) throws IOException {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(render(width, height), "png", file.toFile())) {
      throw new IOException("no PNG writer in this JVM");
    }
  }

  public BufferedImage render(int width, int height) {
    int header = TITLE_HEIGHT + (subtitle == null ? 0 : SUBTITLE_HEIGHT);
    int panelHeight = (height - header - X_LABEL_HEIGHT) / panels.size();
    if (width < LEFT + RIGHT + 100 || panelHeight < PANEL_TOP + PANEL_BOTTOM + 60) {
      throw new IllegalArgumentException(
          width + "x" + height + " is too small for " + panels.size() + " panels");
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, width, height);
      g.setColor(INK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, LEFT, 28);
      if (subtitle != null) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(subtitle, LEFT, 28 + SUBTITLE_HEIGHT);
      }
      for (int p = 0; p < panels.size(); p++) {
        int top = header + p * panelHeight;
        drawPanel(
            g,
            panels.get(p),
            LEFT,
            top + PANEL_TOP,
            width - LEFT - RIGHT,
            panelHeight - PANEL_TOP - PANEL_BOTTOM);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.setColor(INK);
      FontMetrics fm = g.getFontMetrics();
      g.drawString(xLabel, LEFT + (width - LEFT - RIGHT - fm.stringWidth(xLabel)) / 2, height - 10);
    } finally {
      g.dispose();
    }
    return image;
  }

  private void drawPanel(Graphics2D g, Panel panel, int left, int top, int w, int h) {
    // Headroom above the highest point, so a flat line does not run along the frame.
    double yMax = niceCeiling(maxOf(panel) * 1.1);
    double step = yMax / 4;
    // A little room left and right, so the first and last markers sit inside the frame.
    double span = x.length == 1 ? 1 : x[x.length - 1] - x[0];
    double xMin = x[0] - span * 0.03;
    double xMax = x[x.length - 1] + span * 0.03;

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.setColor(INK);
    g.drawString(panel.title() + " (" + panel.unit() + ")", left, top - 10);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i <= 4; i++) {
      double v = i * step;
      int py = top + h - (int) Math.round(v / yMax * h);
      g.setColor(GRID);
      g.drawLine(left, py, left + w, py);
      g.setColor(INK);
      String label = format(v, step);
      g.drawString(label, left - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
    }
    for (double xv : x) {
      int px = left + (int) Math.round((xv - xMin) / (xMax - xMin) * w);
      g.setColor(GRID);
      g.drawLine(px, top, px, top + h);
      g.setColor(INK);
      String label = format(xv, 1);
      g.drawString(label, px - fm.stringWidth(label) / 2, top + h + fm.getAscent() + 4);
    }
    g.setColor(INK);
    g.drawRect(left, top, w, h);

    for (Series s : panel.series()) {
      drawSeries(g, s, left, top, w, h, xMin, xMax, yMax);
    }
    drawLegend(g, panel, left + w, top - 10);
  }

  private void drawSeries(
      Graphics2D g,
      Series s,
      int left,
      int top,
      int w,
      int h,
      double xMin,
      double xMax,
      double yMax) {
    Stroke line =
        s.dashed()
            ? new BasicStroke(
                2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {9f, 6f}, 0f)
            : new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    g.setColor(s.color());
    g.setStroke(line);
    Path2D path = new Path2D.Double();
    boolean drawing = false;
    for (int i = 0; i < x.length; i++) {
      double v = s.values()[i];
      if (Double.isNaN(v)) {
        drawing = false;
        continue;
      }
      double px = left + (x[i] - xMin) / (xMax - xMin) * w;
      double py = top + h - v / yMax * h;
      if (drawing) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        drawing = true;
      }
    }
    g.draw(path);
    g.setStroke(new BasicStroke(1f));
    for (int i = 0; i < x.length; i++) {
      double v = s.values()[i];
      if (!Double.isNaN(v)) {
        int px = (int) Math.round(left + (x[i] - xMin) / (xMax - xMin) * w);
        int py = (int) Math.round(top + h - v / yMax * h);
        if (s.dashed()) {
          g.setColor(BACKGROUND);
          g.fillRect(px - 4, py - 4, 9, 9);
          g.setColor(s.color());
          g.drawRect(px - 4, py - 4, 8, 8);
        } else {
          g.fillOval(px - 5, py - 5, 11, 11);
        }
      }
    }
  }

  /** The legend sits in the panel's header row, right-aligned, so it never hides a line. */
  private static void drawLegend(Graphics2D g, Panel panel, int right, int baseline) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    int x = right;
    for (int i = panel.series().size() - 1; i >= 0; i--) {
      Series s = panel.series().get(i);
      x -= fm.stringWidth(s.name());
      g.setColor(INK);
      g.drawString(s.name(), x, baseline);
      x -= 36;
      int cy = baseline - fm.getAscent() / 2 + 1;
      g.setColor(s.color());
      g.setStroke(
          s.dashed()
              ? new BasicStroke(
                  2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
              : new BasicStroke(2.5f));
      g.drawLine(x, cy, x + 28, cy);
      g.setStroke(new BasicStroke(1f));
      x -= 24;
    }
  }

  private static double maxOf(Panel panel) {
    double max = 0;
    for (Series s : panel.series()) {
      for (double v : s.values()) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    return max;
  }

  /**
   * The smallest round number at least v (1 for 0): 1, 1.2, 1.6, 2, 2.4, 3, 4, 6 or 8 times a power
   * of ten, all of which split into four round ticks.
   */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8, 10}) {
      if (m * magnitude >= v) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String format(double v, double step) {
    if (step >= 1 && Math.abs(step - Math.rint(step)) < 1e-9) {
      return String.format("%,d", Math.round(v));
    }
    int decimals = (int) Math.max(1, Math.min(6, Math.ceil(-Math.log10(step)) + 1));
    return String.format("%." + decimals + "f", v);
  }
}
