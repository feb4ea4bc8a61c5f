package io.stmactors.examples.internal;

import java.io.Serializable;

/**
 * The work item of {@code list-compute}: one row of a Mandelbrot image, summarized as the total
 * number of iterations of its pixels. Pure and deterministic (the same row always gives the same
 * number), CPU-bound, with no allocation, and rows differ in cost (rows through the set's middle
 * are the most expensive), as real work items do.
 *
 * <p>The image spans {@code [-2.2, 0.8] x [-1.2, 1.2]}, symmetric about the real axis, so row
 * {@code y} and row {@code height - 1 - y} have the same sum.
 *
 * @param width         pixels per row
 * @param height        rows
 * @param maxIterations iterations after which a pixel counts as inside the set
 */
public record Mandelbrot(int width, int height, int maxIterations) implements Serializable {

    public Mandelbrot {
        if (width < 1 || height < 1 || maxIterations < 1) {
            throw new IllegalArgumentException("width, height and maxIterations must be at least 1");
        }
    }

    /** The total iteration count of row {@code y}. */
    public long row(int y) {
        double ci = height == 1 ? 0.0 : -1.2 + 2.4 * y / (height - 1);
        long sum = 0;
        for (int x = 0; x < width; x++) {
            double cr = -2.2 + 3.0 * x / width;
            double zr = 0;
            double zi = 0;
            int i = 0;
            while (i < maxIterations) {
                double zr2 = zr * zr;
                double zi2 = zi * zi;
                if (zr2 + zi2 > 4.0) {
                    break;
                }
                zi = 2 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                i++;
            }
            sum += i;
        }
        return sum;
    }

    /** Every row's sum, computed on the calling thread (the reference the demo checks against). */
    public long[] allRows() {
        long[] out = new long[height];
        for (int y = 0; y < height; y++) {
            out[y] = row(y);
        }
        return out;
    }
}
