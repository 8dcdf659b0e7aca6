package dev.streamlens.bench.capacity;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The capacity curve as a PNG (Java2D, headless): the job's event-time lag at the end of each step
 * and the slowest window's freshness, against the offered rate, with the freshness bound and the
 * capacity marked.
 */
final class CapacityPlot {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;

    private CapacityPlot() {}

    /**
     * One step: offered calls/s; lag and freshness in seconds (negative: not measured; freshness
     * infinite: a window never complete while watched, drawn on the top edge).
     */
    record Point(double offered, double lagSeconds, double freshnessSeconds, boolean withinCapacity) {}

    static void write(Path png, String title, List<Point> points, double freshnessBoundSeconds, double capacity)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);

        double maxX = points.stream().mapToDouble(Point::offered).max().orElse(1) * 1.05;
        double maxY = Math.max(
                freshnessBoundSeconds * 1.5,
                points.stream()
                                .mapToDouble(p -> Math.max(
                                        p.lagSeconds, Double.isInfinite(p.freshnessSeconds) ? 0 : p.freshnessSeconds))
                                .max()
                                .orElse(1)
                        * 1.1);
        Axes axes = new Axes(maxX, maxY);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double x = maxX * i / 5;
            double y = maxY * i / 5;
            g.drawString(String.format("%,.0f", x), axes.x(x) - 15, HEIGHT - BOTTOM + 18);
            g.drawString(String.format("%.0f s", y), LEFT - 45, axes.y(y) + 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT + 1, axes.y(y), WIDTH - RIGHT, axes.y(y));
            g.setColor(Color.BLACK);
        }
        g.drawString("offered LLM calls per second", WIDTH / 2 - 80, HEIGHT - 25);

        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        g.setColor(new Color(200, 120, 0));
        g.drawLine(LEFT, axes.y(freshnessBoundSeconds), WIDTH - RIGHT, axes.y(freshnessBoundSeconds));
        g.drawString("freshness bound", WIDTH - RIGHT - 110, axes.y(freshnessBoundSeconds) - 6);
        if (capacity > 0) {
            g.setColor(new Color(0, 140, 0));
            g.drawLine(axes.x(capacity), TOP, axes.x(capacity), HEIGHT - BOTTOM);
            String label = String.format("capacity %,.0f calls/s", capacity);
            int labelX = axes.x(capacity) + 6;
            if (labelX + g.getFontMetrics().stringWidth(label) > WIDTH - RIGHT) {
                labelX = axes.x(capacity) - 6 - g.getFontMetrics().stringWidth(label); // left of the line
            }
            g.drawString(label, labelX, TOP + 14);
        }

        series(g, axes, points, true, new Color(30, 90, 200));
        series(g, axes, points, false, new Color(200, 30, 60));
        g.setStroke(new BasicStroke(1));
        g.setColor(new Color(30, 90, 200));
        g.drawString("event-time lag at the step's end", LEFT + 20, TOP + 14);
        g.setColor(new Color(200, 30, 60));
        g.drawString("slowest window: its end -> its rows complete", LEFT + 20, TOP + 30);
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void series(Graphics2D g, Axes axes, List<Point> points, boolean lag, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2));
        int[] previous = null;
        for (Point p : points) {
            double value = lag ? p.lagSeconds : p.freshnessSeconds;
            if (value < 0) {
                previous = null;
                continue;
            }
            int[] at = {axes.x(p.offered), axes.y(Math.min(value, axes.maxY()))};
            if (previous != null) {
                g.drawLine(previous[0], previous[1], at[0], at[1]);
            }
            if (p.withinCapacity) {
                g.fillOval(at[0] - 4, at[1] - 4, 8, 8);
            } else {
                g.drawOval(at[0] - 4, at[1] - 4, 8, 8);
            }
            previous = at;
        }
    }

    private record Axes(double maxX, double maxY) {
        int x(double value) {
            return LEFT + (int) ((WIDTH - LEFT - RIGHT) * value / maxX);
        }

        int y(double value) {
            return HEIGHT - BOTTOM - (int) ((HEIGHT - TOP - BOTTOM) * Math.min(value, maxY) / maxY);
        }
    }
}
