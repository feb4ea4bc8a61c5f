package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(120)
class IsolatedSmokeTest {
    record Ping(ActorRef<String> replyTo) {
    }

    record Add(long amount, ActorRef<Long> replyTo) {
    }

    @Test
    void echoAndSharedCounter() throws Exception {
        TLong counter = TLong.named("counter", 0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(2).register(Ping.class, Add.class).build())) {
            ActorRef<Ping> echo = system.spawn(Behaviors.receive((ctx, p) -> {
                p.replyTo().tell("pong from " + ProcessHandle.current().pid());
                return Behaviors.same();
            }), "echo");
            String reply = system.<Ping, String>ask(echo, Ping::new, Duration.ofSeconds(20)).get();
            System.out.println(reply);
            ActorRef<Add> adder = system.spawn(Behaviors.receive((ctx, a) -> {
                long v = counter.addAndGet(a.amount());
                a.replyTo().tell(v);
                return Behaviors.same();
            }), "adder");
            ActorRef<Add> adder2 = system.spawn(Behaviors.receive((ctx, a) -> {
                long v = counter.addAndGet(a.amount());
                a.replyTo().tell(v);
                return Behaviors.same();
            }), "adder-two");
            long last = 0;
            for (int i = 0; i < 50; i++) {
                last = system.<Add, Long>ask(i % 2 == 0 ? adder : adder2, r -> new Add(1, r), Duration.ofSeconds(20)).get();
            }
            assertEquals(50, last);
            assertEquals(50, counter.get(), "the coordinator sees the workers' commits");
            System.out.println(system.diagnostics().report());
        }
    }
}
