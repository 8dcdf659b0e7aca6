package dev.streamlens.model;

import java.time.Instant;
import java.time.Year;

/**
 * RFC 3339 {@code date-time} (section 5.6), read strictly and quickly (a {@code DateTimeFormatter}
 * costs more than the rest of an event together, and accepts what RFC 3339 does not: five-digit
 * and signed years).
 * <ul>
 *   <li>{@code full-date "T" full-time}, four-digit year, real calendar days; {@code T} and
 *       {@code Z} in either case;</li>
 *   <li>an offset {@code Z} or {@code ±hh:mm} with hours 00–23 (wider than java.time's ±18:00);</li>
 *   <li>a fraction of any length: digits beyond the ninth (nanoseconds) are dropped, towards the
 *       earlier instant, as the pipeline's milliseconds drop the rest;</li>
 *   <li>a leap second {@code 23:59:60} (UTC) is folded onto the second before it:
 *       {@code 23:59:60.250Z} reads as {@code 23:59:59.250Z}, so it stays in its minute's window.
 *       {@code :60} anywhere but the last minute of a UTC day is refused.</li>
 * </ul>
 */
public final class Rfc3339 {

    /** The earliest and latest instants the pipeline takes: every one prints with a four-digit year. */
    public static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");

    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private static final int SECONDS_PER_DAY = 86_400;

    private Rfc3339() {}

    /** The instant, or null when the text is not an RFC 3339 date-time. */
    public static Instant parse(String s) {
        int n = s.length();
        if (n < 20
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > lengthOfMonth(year, month)
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 60) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                if (i - start < 9) {
                    nanos = nanos * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0) {
                return null;
            }
            for (int k = fractionDigits; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= n) {
            return null;
        }
        int offsetSeconds;
        char zone = s.charAt(i);
        if ((zone == 'Z' || zone == 'z') && i + 1 == n) {
            offsetSeconds = 0;
        } else if ((zone == '+' || zone == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (zone == '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
        } else {
            return null;
        }
        long epochDay = epochDay(year, month, day);
        long epochSecond =
                epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + Math.min(second, 59) - offsetSeconds;
        if (second == 60 && Math.floorMod(epochSecond, SECONDS_PER_DAY) != SECONDS_PER_DAY - 1) {
            return null; // a leap second only ends a UTC day
        }
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** Whether the pipeline can carry this instant (a four-digit UTC year). */
    public static boolean inRange(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> Year.isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the algorithm of java.time.LocalDate). */
    private static long epochDay(long year, int month, int day) {
        long total = 365 * year;
        if (year >= 0) {
            total += (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
        } else {
            total -= year / -4 - year / -100 + year / -400;
        }
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!Year.isLeap(year)) {
                total--;
            }
        }
        return total - 719_528; // days from 0000-01-01 to 1970-01-01
    }

    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
