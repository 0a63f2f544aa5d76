package dev.scopesync.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {
  @TempDir Path dir;

  private static final double[] CYCLES = {0, 1, 2, 3, 4, 5};

  private static LinePlot twoPanels() {
    return LinePlot.of(
        "soak",
        "cycle",
        CYCLES,
        List.of(
            new LinePlot.Panel(
                "heap after GC",
                "MB",
                List.of(
                    LinePlot.Series.solid(
                        "after deletes", LinePlot.BLUE, new double[] {40, 41, 41, 42, 41, 41}),
                    LinePlot.Series.dashed(
                        "during", LinePlot.ORANGE, new double[] {Double.NaN, 90, 92, 91, 93, 92}))),
            new LinePlot.Panel(
                "open fds",
                "count",
                List.of(
                    LinePlot.Series.solid(
                        "after deletes",
                        LinePlot.GREEN,
                        new double[] {120, 121, 120, 122, 121, 120})))));
  }

  @Test
  void writesAPngOfTheAskedSizeWhoseSeriesAreDrawnInTheirColours() throws Exception {
    Path png = dir.resolve("figures/soak.png");
    twoPanels().writePng(png, 900, 700);

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(900, image.getWidth());
    assertEquals(700, image.getHeight());
    int background = LinePlot.BACKGROUND.getRGB();
    for (Color series : List.of(LinePlot.BLUE, LinePlot.ORANGE, LinePlot.GREEN)) {
      int pixels = pixelsOf(image, series);
      assertTrue(pixels > 200, series + " covers only " + pixels + " pixels");
      assertTrue(series.getRGB() != background);
    }
    assertEquals(0, pixelsOf(image, LinePlot.VERMILION), "a colour no series uses is absent");
  }

  @Test
  void aSeriesOfOnlyGapsDrawsNothingAndDoesNotFail() {
    double[] gaps = new double[CYCLES.length];
    java.util.Arrays.fill(gaps, Double.NaN);
    BufferedImage image =
        LinePlot.of(
                "gaps",
                "cycle",
                CYCLES,
                List.of(
                    new LinePlot.Panel(
                        "nothing yet",
                        "MB",
                        List.of(LinePlot.Series.solid("after deletes", LinePlot.VERMILION, gaps)))))
            .render(600, 400);
    // The legend's sample line is the only vermilion on the image.
    assertTrue(pixelsOf(image, LinePlot.VERMILION) < 120);
  }

  @Test
  void aSeriesWhoseLengthDiffersFromTheXValuesIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                LinePlot.of(
                    "t",
                    "cycle",
                    CYCLES,
                    List.of(
                        new LinePlot.Panel(
                            "p",
                            "MB",
                            List.of(
                                LinePlot.Series.solid(
                                    "short", LinePlot.BLUE, new double[] {1, 2}))))));
    assertTrue(e.getMessage().contains("'short'"), e.getMessage());
  }

  @Test
  void decreasingXValuesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LinePlot.of(
                "t",
                "cycle",
                new double[] {0, 2, 1},
                List.of(
                    new LinePlot.Panel(
                        "p",
                        "MB",
                        List.of(
                            LinePlot.Series.solid("s", LinePlot.BLUE, new double[] {1, 2, 3}))))));
  }

  @Test
  void roundCeilingsSplitIntoFourRoundTicks() {
    assertEquals(1, LinePlot.niceCeiling(0));
    assertEquals(160, LinePlot.niceCeiling(151));
    assertEquals(400, LinePlot.niceCeiling(301));
    assertEquals(1000, LinePlot.niceCeiling(801));
    assertEquals(0.3, LinePlot.niceCeiling(0.27), 1e-12);
  }

  @Test
  void aMissingParentDirectoryIsCreated() throws Exception {
    Path png = dir.resolve("a/b/c.png");
    twoPanels().writePng(png, 800, 600);
    assertTrue(Files.size(png) > 0);
  }

  /** Pixels within a small distance of the colour (antialiased edges are not counted). */
  private static int pixelsOf(BufferedImage image, Color color) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color c = new Color(image.getRGB(x, y));
        if (Math.abs(c.getRed() - color.getRed())
                + Math.abs(c.getGreen() - color.getGreen())
                + Math.abs(c.getBlue() - color.getBlue())
            <= 12) {
          n++;
        }
      }
    }
    return n;
  }
}
