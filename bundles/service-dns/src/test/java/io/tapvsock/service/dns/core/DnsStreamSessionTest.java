package io.tapvsock.service.dns.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dns.testing.Messages;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsStreamSessionTest {

    private final List<byte[]> out = new ArrayList<>();
    private final DnsServer server = new DnsServer(new Zones(DefaultZones.of(NetworkSettings.defaults())),
            (query, callback) -> callback.failed(Forwarder.Failure.NO_SERVERS), new DnsCounters(),
            ByteBufAllocator.DEFAULT);
    private final DnsStreamSession session = new DnsStreamSession(server, ByteBufAllocator.DEFAULT, reply -> {
        byte[] bytes = new byte[reply.readableBytes()];
        reply.getBytes(reply.readerIndex(), bytes);
        reply.release();
        out.add(bytes);
    });

    private static byte[] framed(byte[]... messages) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] message : messages) {
            Messages.short16(stream, message.length);
            stream.writeBytes(message);
        }
        return stream.toByteArray();
    }

    private void feed(byte[] bytes, int from, int to) {
        ByteBuf buf = Unpooled.copiedBuffer(bytes, from, to - from);
        try {
            session.received(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void pipelinedQueries_splitAnywhere_areAnsweredWithLengthPrefixes() throws Exception {
        byte[] stream = framed(Messages.query(1, "gateway.containers.internal.", Messages.A, -1),
                Messages.query(2, "host.containers.internal.", Messages.A, -1));
        feed(stream, 0, 1);
        feed(stream, 1, 20);
        assertTrue(out.isEmpty());
        feed(stream, 20, stream.length);
        assertEquals(2, out.size());
        for (int i = 0; i < 2; i++) {
            byte[] reply = out.get(i);
            int length = (reply[0] & 0xFF) << 8 | reply[1] & 0xFF;
            assertEquals(reply.length - 2, length);
            assertEquals(i + 1, (reply[2] & 0xFF) << 8 | reply[3] & 0xFF);
        }
        session.close();
    }

    @Test
    void afterClose_nothingIsWritten_andPartialInputIsReleased() {
        byte[] stream = framed(Messages.query(1, "gateway.containers.internal.", Messages.A, -1));
        feed(stream, 0, 5);
        session.close();
        feed(stream, 5, stream.length);
        assertTrue(out.isEmpty());
    }
}
