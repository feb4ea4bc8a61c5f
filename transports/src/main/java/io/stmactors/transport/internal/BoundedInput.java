package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo {@link Input} over a fixed byte range that refuses to allocate for a length it cannot back with bytes.
 * <p>
 * Kryo reads a declared length and allocates before it reads the elements ({@code new byte[length]},
 * {@code new char[charCount]}, {@code new Object[count]}). A forged length therefore turns a few bytes into an
 * {@link OutOfMemoryError}. This input closes that hole in two ways:
 * <ol>
 *     <li>every length-prefixed read checks {@code length * minimumBytesPerElement <= remaining()} first;</li>
 *     <li>containers call {@link #chargeElements(long, int, String)} before they allocate. The sum of all declared
 *     element counts in one decode may not exceed the number of bytes decoded, because in this codec's wire format
 *     every element of every container starts with at least one byte of its own (a class id, a null marker or a
 *     value). Legitimate input always satisfies it; a chain of nested containers that each claim "the rest of the
 *     message" does not, so the total pre-allocation of one decode stays proportional to its input size.</li>
 * </ol>
 * There is no input stream behind it, so {@code require} never blocks: running out of bytes is an immediate
 * {@link KryoException}.
 * <p>
 * Thread-safety: none; one instance belongs to one pooled codec slot and is used by one thread at a time.
 */
public final class BoundedInput extends Input
{
    private long elementBudget;
    /** How many map keys or set elements the decoder is inside of; see {@link SafeCollectionSerializers}. */
    int keyDepth;

    /**
     * Create an input with no buffer; call {@link #reset(byte[], int, int)} before use.
     */
    public BoundedInput()
    {
        super();
    }

    /**
     * Point this input at a byte range and reset the element budget to its length.
     *
     * @param bytes  holding the encoded object.
     * @param offset of the first byte.
     * @param length of the encoded object.
     */
    public void reset(final byte[] bytes, final int offset, final int length)
    {
        keyDepth = 0;
        setBuffer(bytes, offset, length);
        elementBudget = length;
    }

    /**
     * Forget the buffer and drop a large char scratch array so a pooled slot does not pin memory.
     *
     * @param maxRetainedChars the largest char scratch array worth keeping.
     */
    public void release(final int maxRetainedChars)
    {
        setBuffer(EMPTY);
        if (chars.length > maxRetainedChars)
        {
            chars = new char[32];
        }
    }

    /**
     * @return number of bytes not yet read.
     */
    public int remaining()
    {
        return limit - position;
    }

    /**
     * Account for a container about to be allocated with {@code count} elements.
     *
     * @param count                  declared number of elements.
     * @param minimumBytesPerElement the fewest bytes one element can occupy on the wire (at least 1).
     * @param what                   a name for the container, used in the error message.
     * @throws KryoException if the count is negative, cannot fit in the remaining bytes, or exceeds the budget.
     */
    public void chargeElements(final long count, final int minimumBytesPerElement, final String what)
    {
        checkLength(count, minimumBytesPerElement, what);
        if (count > elementBudget)
        {
            throw new KryoException("Malformed input: " + what + " declares " + count +
                " elements but the message has only " + elementBudget + " element bytes left to back them");
        }
        elementBudget -= count;
    }

    /**
     * Check a declared length against the bytes remaining, without charging the budget.
     *
     * @param length                 declared number of elements.
     * @param minimumBytesPerElement the fewest bytes one element can occupy on the wire.
     * @param what                   a name for the value, used in the error message.
     * @throws KryoException if the length is negative or cannot fit in the remaining bytes.
     */
    public void checkLength(final long length, final int minimumBytesPerElement, final String what)
    {
        if (length < 0)
        {
            throw new KryoException("Malformed input: " + what + " has a negative length " + length);
        }
        final int remaining = limit - position;
        if (length * minimumBytesPerElement > remaining)
        {
            throw new KryoException("Malformed input: " + what + " declares " + length + " elements (at least " +
                (length * minimumBytesPerElement) + " bytes) but only " + remaining + " bytes remain");
        }
    }

    /** {@inheritDoc} */
    public byte[] readBytes(final int length)
    {
        checkLength(length, 1, "byte array");
        return super.readBytes(length);
    }

    /** {@inheritDoc} */
    public int[] readInts(final int length)
    {
        checkLength(length, 4, "int array");
        return super.readInts(length);
    }

    /** {@inheritDoc} */
    public int[] readInts(final int length, final boolean optimizePositive)
    {
        checkLength(length, varEncoding ? 1 : 4, "int array");
        return super.readInts(length, optimizePositive);
    }

    /** {@inheritDoc} */
    public long[] readLongs(final int length)
    {
        checkLength(length, 8, "long array");
        return super.readLongs(length);
    }

    /** {@inheritDoc} */
    public long[] readLongs(final int length, final boolean optimizePositive)
    {
        checkLength(length, varEncoding ? 1 : 8, "long array");
        return super.readLongs(length, optimizePositive);
    }

    /** {@inheritDoc} */
    public float[] readFloats(final int length)
    {
        checkLength(length, 4, "float array");
        return super.readFloats(length);
    }

    /** {@inheritDoc} */
    public double[] readDoubles(final int length)
    {
        checkLength(length, 8, "double array");
        return super.readDoubles(length);
    }

    /** {@inheritDoc} */
    public short[] readShorts(final int length)
    {
        checkLength(length, 2, "short array");
        return super.readShorts(length);
    }

    /** {@inheritDoc} */
    public char[] readChars(final int length)
    {
        checkLength(length, 2, "char array");
        return super.readChars(length);
    }

    /** {@inheritDoc} */
    public boolean[] readBooleans(final int length)
    {
        checkLength(length, 1, "boolean array");
        return super.readBooleans(length);
    }

    /** {@inheritDoc} */
    public String readString()
    {
        checkUtf8CharCount();
        return super.readString();
    }

    /** {@inheritDoc} */
    public StringBuilder readStringBuilder()
    {
        checkUtf8CharCount();
        return super.readStringBuilder();
    }

    /**
     * A UTF-8 string is a flagged varint char count followed by at least one byte per char; Kryo sizes its char
     * scratch array by the count before reading. Peek the count and check it, then rewind. ASCII strings carry
     * no count (the last byte is marked) and are bounded by the buffer already.
     */
    private void checkUtf8CharCount()
    {
        if (!readVarIntFlag())
        {
            return;
        }
        final int start = position;
        final int countPlusOne = readVarIntFlag(true);
        final long declaredChars = countPlusOne < 0 ? countPlusOne : Math.max(0, countPlusOne - 1L);
        checkLength(declaredChars, 1, "string");
        position = start;
    }

    private static final byte[] EMPTY = new byte[0];
}
