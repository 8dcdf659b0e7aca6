package dev.streamlens.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Unsigned variable-length longs (7 bits a byte, low first): the compact encodings' building block. */
public final class Varints {

    private Varints() {}

    public static void write(DataOutput out, long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    /** Writes the value at {@code bytes[at]} on (at most 10 bytes); returns the index after it. */
    public static int write(byte[] bytes, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at++] = (byte) value;
        return at;
    }

    public static long read(DataInput in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint");
    }
}
