package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The fast timestamp path agrees with java.time's RFC 3339 reading on everything it accepts. */
class Rfc3339Properties {

    private static final DateTimeFormatter REFERENCE = new DateTimeFormatterBuilder()
            .parseCaseInsensitive().append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

    @Property(tries = 3000)
    void acceptsTheCommonShapeExactlyAsJavaTimeReadsIt(
            @ForAll @LongRange(min = 0, max = 253_402_300_799L) long epochSecond,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes,
            @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        OffsetDateTime time = Instant.ofEpochSecond(epochSecond, nanos).atOffset(offset);
        String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (fractionDigits == 0 ? "" : "." + "S".repeat(fractionDigits)) + "xxx";
        String text = time.format(DateTimeFormatter.ofPattern(pattern)).replace("+00:00", "Z");
        if (OffsetDateTime.parse(text, REFERENCE).getYear() > 9999) {
            return;
        }
        assertThat(Rfc3339.parseCommon(text)).as(text).isEqualTo(OffsetDateTime.parse(text, REFERENCE).toInstant());
    }

    @Property(tries = 5000)
    void neverAcceptsWhatJavaTimeRefusesOrReadsItDifferently(@ForAll("nearlyTimestamps") String text) {
        Instant fast = Rfc3339.parseCommon(text);
        if (fast == null) {
            return;
        }
        try {
            assertThat(fast).as(text).isEqualTo(OffsetDateTime.parse(text, REFERENCE).toInstant());
        } catch (DateTimeParseException e) {
            throw new AssertionError("fast path accepted '" + text + "', java.time refuses it", e);
        }
    }

    /** Valid timestamps with one character replaced, dropped or duplicated. */
    @Provide
    Arbitrary<String> nearlyTimestamps() {
        Arbitrary<String> valid = Arbitraries.of("2025-11-20T10:00:30.000Z", "2024-02-29T23:59:59.123456789+05:30",
                "1999-12-31t00:00:00z", "2025-06-30T12:00:00-08:00", "2023-02-28T00:00:00.5+18:00");
        Arbitrary<Character> chars = Arbitraries.of('0', '1', '2', '3', '9', ':', '-', '+', 'T', 'Z', '.', ' ', 'x');
        return net.jqwik.api.Combinators.combine(valid, Arbitraries.integers().between(0, 30), chars,
                Arbitraries.integers().between(0, 2)).as((s, pos, c, op) -> {
                    int i = Math.min(pos, s.length() - 1);
                    return switch (op) {
                        case 0 -> s.substring(0, i) + c + s.substring(i + 1);
                        case 1 -> s.substring(0, i) + s.substring(i + 1);
                        default -> s.substring(0, i) + c + s.substring(i);
                    };
                });
    }
}
