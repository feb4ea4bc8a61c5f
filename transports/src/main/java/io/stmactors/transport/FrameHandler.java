package io.stmactors.transport;

import org.agrona.DirectBuffer;

/**
 * Receives complete messages from {@link Transport#poll(FrameHandler, int)}.
 * <p>
 * Called on the polling thread only, one message at a time. <b>WARNING</b>: the buffer region is valid only for
 * the duration of the call (it is the inbox ring itself, or a reassembly buffer that is reused); copy or decode
 * what you need before returning. An exception thrown here propagates out of {@code poll}; the message counts as
 * consumed.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @param sourceId    endpoint that sent the message (as stated in its frame, which carried the cluster secret).
     * @param messageType the sender's message type, {@code >= 0}.
     * @param buffer      holding the payload.
     * @param offset      of the first payload byte in {@code buffer}.
     * @param length      of the payload in bytes.
     */
    void onFrame(int sourceId, int messageType, DirectBuffer buffer, int offset, int length);
}
