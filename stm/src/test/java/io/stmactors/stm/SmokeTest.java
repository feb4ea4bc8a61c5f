package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void basicTransfer() {
        TLong a = TLong.of(100), b = TLong.of(0);
        Stm.atomic(() -> { a.add(-10); b.add(10); });
        assertEquals(90, a.get());
        assertEquals(10, b.get());
        TRef<String> s = TRef.of("x");
        assertEquals("xy", Stm.atomic(() -> { s.set(s.get() + "y"); return s.get(); }));
        assertEquals("xy", s.get());
    }

    @Test
    void twoThreadsCount() throws Exception {
        TLong c = TLong.of(0);
        Runnable r = () -> { for (int i = 0; i < 200_000; i++) Stm.atomic(() -> c.increment()); };
        Thread t1 = new Thread(r), t2 = new Thread(r);
        t1.start(); t2.start(); t1.join(); t2.join();
        assertEquals(400_000, c.get());
        System.out.println(Stm.diagnostics().report());
    }
}
