package dev.streamlens.query.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;

/** Writes a decimal as a plain JSON number (0.000000075, never 7.5E-8): dashboards parse costs as they read them. */
public class PlainDecimalSerializer extends StdSerializer<BigDecimal> {

    public PlainDecimalSerializer() {
        super(BigDecimal.class);
    }

    @Override
    public void serialize(BigDecimal value, JsonGenerator generator, SerializerProvider provider) throws IOException {
        generator.writeNumber(value.toPlainString());
    }
}
