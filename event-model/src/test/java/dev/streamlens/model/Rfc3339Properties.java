package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The timestamp reader against two independent readings: java.time where it agrees with RFC 3339
 * (offsets up to ±18:00, no leap second, at most nine fraction digits), and a reading of the
 * RFC's grammar written here with a regular expression and java.time's calendar.
 */
class Rfc3339Properties {

    private static final DateTimeFormatter JAVA_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toFormatter();

    @Property(tries = 3000)
    void readsWhatJavaTimeReadsExactlyAsItDoes(
            @ForAll @LongRange(min = 0, max = 253_402_300_799L) long epochSecond,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes,
            @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        OffsetDateTime time = Instant.ofEpochSecond(epochSecond, nanos).atOffset(offset);
        String pattern =
                "uuuu-MM-dd'T'HH:mm:ss" + (fractionDigits == 0 ? "" : "." + "S".repeat(fractionDigits)) + "xxx";
        String text = time.format(DateTimeFormatter.ofPattern(pattern)).replace("+00:00", "Z");
        if (OffsetDateTime.parse(text, JAVA_TIME).getYear() > 9999) {
            return;
        }
        assertThat(Rfc3339.parse(text))
                .as(text)
                .isEqualTo(OffsetDateTime.parse(text, JAVA_TIME).toInstant());
    }

    @Property(tries = 5000)
    void agreesWithTheGrammarOnGeneratedTimestamps(@ForAll("timestamps") String text) {
        assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Grammar.read(text));
    }

    @Property(tries = 5000)
    void agreesWithTheGrammarOnAlmostTimestamps(@ForAll("almostTimestamps") String text) {
        assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Grammar.read(text));
    }

    @Example
    void foldsALeapSecondOntoTheSecondBeforeIt() {
        assertThat(Rfc3339.parse("2016-12-31T23:59:60Z")).isEqualTo(Instant.parse("2016-12-31T23:59:59Z"));
        assertThat(Rfc3339.parse("2016-12-31T23:59:60.250Z")).isEqualTo(Instant.parse("2016-12-31T23:59:59.250Z"));
        assertThat(Rfc3339.parse("1990-12-31T15:59:60-08:00")).isEqualTo(Instant.parse("1990-12-31T23:59:59Z"));
        assertThat(Rfc3339.parse("2016-12-31T12:30:60Z"))
                .as("not the end of a UTC day")
                .isNull();
    }

    @Example
    void dropsFractionDigitsBeyondNanoseconds() {
        assertThat(Rfc3339.parse("2025-11-20T10:00:30.123456789987654321Z"))
                .isEqualTo(Instant.parse("2025-11-20T10:00:30.123456789Z"));
    }

    @Example
    void refusesWhatJavaTimeWouldAcceptButRfc3339DoesNot() {
        assertThat(Rfc3339.parse("-300000000-01-01T00:00:00Z")).isNull();
        assertThat(Rfc3339.parse("+10000-01-01T00:00:00Z")).isNull();
        assertThat(Rfc3339.parse("2025-02-29T00:00:00Z")).isNull();
        assertThat(Rfc3339.parse("2025-11-20T10:00:30+05:30:00")).isNull();
        assertThat(Rfc3339.parse("2025-11-20 10:00:30Z")).isNull();
    }

    @Example
    void readsOffsetsBeyondJavaTimesEighteenHours() {
        assertThat(Rfc3339.parse("2025-11-20T23:30:00+23:30")).isEqualTo(Instant.parse("2025-11-20T00:00:00Z"));
    }

    @Provide
    Arbitrary<String> timestamps() {
        Arbitrary<Integer> year = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 9999), Arbitraries.of(0, 1, 1969, 1970, 2000, 2016, 2024, 9999));
        Arbitrary<Integer> month = Arbitraries.integers().between(0, 13);
        Arbitrary<Integer> day = Arbitraries.integers().between(0, 32);
        Arbitrary<Integer> hour = Arbitraries.oneOf(Arbitraries.integers().between(0, 24), Arbitraries.just(23));
        Arbitrary<Integer> minute = Arbitraries.oneOf(Arbitraries.integers().between(0, 60), Arbitraries.just(59));
        Arbitrary<Integer> second = Arbitraries.oneOf(Arbitraries.integers().between(0, 61), Arbitraries.just(60));
        Arbitrary<String> fraction = Arbitraries.strings()
                .numeric()
                .ofMinLength(0)
                .ofMaxLength(15)
                .map(digits -> digits.isEmpty() ? "" : "." + digits);
        Arbitrary<String> offset = Arbitraries.oneOf(
                Arbitraries.of("Z", "z", "+00:00", "-00:00"),
                Combinators.combine(
                                Arbitraries.of('+', '-'),
                                Arbitraries.integers().between(0, 24),
                                Arbitraries.integers().between(0, 60))
                        .as((sign, h, m) -> String.format("%c%02d:%02d", sign, h, m)));
        Arbitrary<String> date =
                Combinators.combine(year, month, day).as((y, mo, d) -> String.format("%04d-%02d-%02d", y, mo, d));
        Arbitrary<String> time = Combinators.combine(hour, minute, second, fraction)
                .as((h, mi, s, f) -> String.format("%02d:%02d:%02d%s", h, mi, s, f));
        return Combinators.combine(date, Arbitraries.of("T", "t"), time, offset).as((d, t, ti, o) -> d + t + ti + o);
    }

    /** Valid timestamps with one character replaced, dropped or duplicated, and other near misses. */
    @Provide
    Arbitrary<String> almostTimestamps() {
        Arbitrary<String> valid = Arbitraries.of(
                "2025-11-20T10:00:30.000Z",
                "2024-02-29T23:59:59.123456789+05:30",
                "1999-12-31t00:00:00z",
                "2025-06-30T12:00:00-08:00",
                "2023-02-28T00:00:00.5+18:00",
                "2016-12-31T23:59:60Z",
                "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.9999999999Z");
        Arbitrary<Character> chars =
                Arbitraries.of('0', '1', '2', '3', '6', '9', ':', '-', '+', 'T', 'Z', '.', ' ', 'x');
        return Combinators.combine(
                        valid,
                        Arbitraries.integers().between(0, 32),
                        chars,
                        Arbitraries.integers().between(0, 2))
                .as((s, pos, c, op) -> {
                    int i = Math.min(pos, s.length() - 1);
                    return switch (op) {
                        case 0 -> s.substring(0, i) + c + s.substring(i + 1);
                        case 1 -> s.substring(0, i) + s.substring(i + 1);
                        default -> s.substring(0, i) + c + s.substring(i);
                    };
                });
    }

    /** RFC 3339 section 5.6, read from its ABNF with a regular expression; the calendar is java.time's. */
    static final class Grammar {
        private static final Pattern DATE_TIME = Pattern.compile(
                "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(?:([Zz])|([+-])(\\d{2}):(\\d{2}))");

        static Instant read(String text) {
            Matcher m = DATE_TIME.matcher(text);
            if (!m.matches()) {
                return null;
            }
            int hour = Integer.parseInt(m.group(4));
            int minute = Integer.parseInt(m.group(5));
            int second = Integer.parseInt(m.group(6));
            if (hour > 23 || minute > 59 || second > 60) {
                return null;
            }
            LocalDate date;
            try {
                date = LocalDate.of(
                        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            } catch (DateTimeException e) {
                return null;
            }
            int offsetSeconds = 0;
            if (m.group(8) == null) {
                int offsetHours = Integer.parseInt(m.group(10));
                int offsetMinutes = Integer.parseInt(m.group(11));
                if (offsetHours > 23 || offsetMinutes > 59) {
                    return null;
                }
                offsetSeconds = (m.group(9).equals("-") ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
            }
            long epochSecond = LocalDateTime.of(date, java.time.LocalTime.of(hour, minute, Math.min(second, 59)))
                            .toEpochSecond(ZoneOffset.UTC)
                    - offsetSeconds;
            if (second == 60 && Math.floorMod(epochSecond, 86_400) != 86_399) {
                return null;
            }
            String fraction = m.group(7) == null ? "" : m.group(7);
            String nineDigits = (fraction + "000000000").substring(0, 9);
            return Instant.ofEpochSecond(epochSecond, Integer.parseInt(nineDigits));
        }
    }
}
