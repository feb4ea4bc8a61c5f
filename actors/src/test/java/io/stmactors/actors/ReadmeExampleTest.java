package io.stmactors.actors;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's examples, compiled and checked, so the documentation cannot rot. */
class ReadmeExampleTest {
    record Deposit(long amount) {
    }

    record Withdraw(long amount, ActorRef<Object> to) {
    }

    record Balance(ActorRef<Long> replyTo) {
    }

    @Test
    void stmExample() {
        TLong checking = TLong.named("checking", 100);
        TLong savings = TLong.named("savings", 0);
        StringBuilder out = new StringBuilder();
        Stm.atomic("transfer", () -> {
            if (checking.get() < 30) {
                Stm.retry();
            }
            checking.add(-30);
            savings.add(30);
            Stm.afterCommit(() -> out.append("moved 30"));
        });
        long total = Stm.atomic(() -> checking.get() + savings.get());
        assertEquals(100, total);
        assertEquals("moved 30", out.toString());
        assertTrue(Stm.diagnostics().report().startsWith("STM:"));
    }

    @Test
    void actorExample() {
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder()
                .mode(Mode.SHARED_STM).workers(4)
                .register(Deposit.class, Withdraw.class, Balance.class)
                .build())) {
            TLong audited = TLong.named("audited", 0);
            Behavior<Object> account = Behaviors.withState(100L, (ctx, balance, msg) -> {
                if (msg instanceof Withdraw w) {
                    if (balance < w.amount()) {
                        return balance;
                    }
                    w.to().tell(new Deposit(w.amount()));
                    audited.increment();
                    return balance - w.amount();
                }
                if (msg instanceof Deposit d) {
                    return balance + d.amount();
                }
                ((Balance) msg).replyTo().tell(balance);
                return balance;
            });
            ActorRef<Object> alice = system.spawn(account, "alice");
            ActorRef<Object> bob = system.spawn(account, "bob");
            alice.tell(new Withdraw(30, bob));
            long a = system.<Object, Long>ask(alice, Balance::new, Duration.ofSeconds(1)).join();
            long b = system.<Object, Long>ask(bob, Balance::new, Duration.ofSeconds(1)).join();
            assertEquals(70, a);
            assertEquals(130, b);
            assertEquals(1, audited.get());
            assertTrue(system.diagnostics().report().contains("messages"));
        }
    }
}
