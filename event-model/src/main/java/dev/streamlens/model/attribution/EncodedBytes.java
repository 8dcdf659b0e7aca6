package dev.streamlens.model.attribution;

import dev.streamlens.model.Varints;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads and writes a summary's encoded form straight on a byte array, in the format of
 * {@link dev.streamlens.model.Varints}. A {@code DataOutputStream} over a {@code ByteArrayOutputStream}
 * takes a lock for every byte it writes (and its input twin for every byte it reads): that was a
 * tenth of the job's time once every batch of calls carried its summaries.
 */
final class EncodedBytes {

    private EncodedBytes() {}

    /** A growing array written from the start. */
    static final class Writer {
        private byte[] bytes;
        private int length;

        Writer(int expectedLength) {
            bytes = new byte[Math.max(16, expectedLength)];
        }

        void writeByte(int value) {
            ensure(1);
            bytes[length++] = (byte) value;
        }

        void writeVarint(long value) {
            ensure(10);
            length = Varints.write(bytes, length, value);
        }

        /** The string's UTF-8 length, then its bytes. */
        void writeString(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            writeVarint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, length, utf8.length);
            length += utf8.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, length);
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }

    /** An array read from the start; reading past its end throws {@link IllegalArgumentException}. */
    static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int readByte() {
            require(1);
            return bytes[position++];
        }

        long readVarint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = (byte) readByte();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint at byte " + position);
        }

        String readString() {
            long length = readVarint();
            if (length > bytes.length - position) {
                throw new IllegalArgumentException("a string of " + length + " bytes runs past the end");
            }
            String value = new String(bytes, position, (int) length, StandardCharsets.UTF_8);
            position += (int) length;
            return value;
        }

        private void require(int more) {
            if (position + more > bytes.length) {
                throw new IllegalArgumentException("the encoded summary ends early, at byte " + position);
            }
        }
    }
}
