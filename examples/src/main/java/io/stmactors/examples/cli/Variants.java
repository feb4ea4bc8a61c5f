package io.stmactors.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Parses options such as {@code --accounts-as refs|actors|both} and {@code --conflict 0,25,100}. */
final class Variants {
    private Variants() {
    }

    /** {@code first}, {@code second}, or {@code both} (both, in that order). */
    static <T> List<T> oneOrBoth(String option, String text, String first, T firstValue, String second, T secondValue) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (v.equals(first)) {
            return List.of(firstValue);
        }
        if (v.equals(second)) {
            return List.of(secondValue);
        }
        if (v.equals("both")) {
            return List.of(firstValue, secondValue);
        }
        throw new IllegalArgumentException("unknown value '" + text + "' for " + option + " (expected " + first + ", "
                + second + " or both)");
    }

    /** A comma-separated list of whole numbers. */
    static List<Integer> integers(String option, String text, Function<Integer, String> check) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes whole numbers separated by commas, got '" + text + "'");
            }
            String problem = check.apply(n);
            if (problem != null) {
                throw new IllegalArgumentException(option + " " + problem + ", got " + n);
            }
            out.add(n);
        }
        return out;
    }
}
