package io.stmactors.examples;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.examples.internal.Rng;
import io.stmactors.examples.internal.Trials;
import io.stmactors.examples.internal.WorkLoop;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TArray;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bank}: random transfers between accounts; the total must be conserved exactly. The
 * number of accounts sets the conflict rate: two concurrent transfers conflict when they share an
 * account, which happens about {@code 4 / accounts} of the time with two workers.
 *
 * <ul>
 *   <li>{@link AccountsAs#REFS}: accounts are elements of a {@link TArray}; client actors each run
 *       transfers, one transaction per transfer (read two balances, write two).</li>
 *   <li>{@link AccountsAs#ACTORS}: every account is an actor holding its balance; a transfer is a
 *       {@code Withdraw} to one account, which sends a {@code Deposit} to the other, which
 *       acknowledges to the client (three handler transactions; clients keep one transfer in
 *       flight each).</li>
 * </ul>
 * Throughput is transfers per second. The check sums every balance (in one transaction, or by
 * asking every account actor) and compares with the money put in.
 */
public final class BankDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 6_000_000;

    /** How accounts are represented. */
    public enum AccountsAs {
        REFS("refs"), ACTORS("actors");

        private final String cliName;

        AccountsAs(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }
    }

    /** Money each account starts with. */
    public static final long INITIAL_BALANCE = 1_000;
    /** Transfers move 1 to this amount. */
    public static final int MAX_AMOUNT = 200;

    private int accounts = 1_000;
    private List<AccountsAs> variants = List.of(AccountsAs.REFS);

    @Override
    public String name() {
        return "bank";
    }

    @Override
    public String summary() {
        return "random transfers between accounts (TRefs or actors); the account count sets the conflict rate";
    }

    @Override
    public String unit() {
        return "transfers";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    /** Number of accounts (at least 2; default 1000). */
    public BankDemo accounts(int accounts) {
        if (accounts < 2) {
            throw new IllegalArgumentException("--accounts must be at least 2, got " + accounts);
        }
        this.accounts = accounts;
        return this;
    }

    /** Which representations to run (default refs). */
    public BankDemo accountsAs(List<AccountsAs> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("at least one account representation is needed");
        }
        this.variants = List.copyOf(variants);
        return this;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        return variants.size() * Trials.steps(config);
    }

    @Override
    public DemoResult run(DemoConfig config) {
        config.progress().plan(progressSteps(config));
        int size = config.sizeOr(defaultSize());
        List<DemoRow> rows = new ArrayList<>();
        for (AccountsAs variant : variants) {
            int n = accounts;
            int loopers = clients(config);
            Trials.Opener opener = variant == AccountsAs.REFS
                    ? (mode, workers) -> new RefsTrial(Trials.system("bank", mode, workers, WorkLoop.MESSAGE_CLASSES), n, loopers,
                    config.timeout())
                    : (mode, workers) -> new ActorsTrial(Trials.system("bank", mode, workers, ACTOR_CLASSES), n, loopers,
                    config.timeout());
            rows.addAll(Trials.run(name(), variant.cliName(), config, size, opener));
        }
        return new DemoResult(name(), rows, "");
    }

    /** Client actors: enough to keep every worker busy, the same number for every worker count. */
    static int clients(DemoConfig config) {
        return Math.max(8, 4 * config.maxWorkers());
    }

    // ---------------------------------------------------------------- accounts as TRefs

    /** One transfer between two random accounts of {@code balances}; returns 1 if money moved. */
    static long transfer(TArray<Long> balances, long random) {
        int n = balances.length();
        int from = Rng.below(random, n);
        int to = (from + 1 + Rng.below(Rng.derive(random, 1), n - 1)) % n;
        long amount = 1 + Rng.below(Rng.derive(random, 2), MAX_AMOUNT);
        long fromBalance = balances.get(from);
        if (fromBalance < amount) {
            return 0;
        }
        balances.set(from, fromBalance - amount);
        balances.set(to, balances.get(to) + amount);
        return 1;
    }

    static WorkLoop.Step transferStep(TArray<Long> balances) {
        return random -> transfer(balances, random);
    }

    private static final class RefsTrial extends Trials.ActorTrial {
        private final TArray<Long> balances;
        private final List<ActorRef<WorkLoop.Msg>> clients;
        private final Duration timeout;

        RefsTrial(ActorSystem system, int accounts, int clients, Duration timeout) {
            super(system);
            this.timeout = timeout;
            this.balances = TArray.named("bank.account", accounts);
            Stm.atomic(() -> {
                for (int i = 0; i < accounts; i++) {
                    balances.set(i, INITIAL_BALANCE);
                }
            });
            this.clients = WorkLoop.spawn(system, "client", clients, transferStep(balances));
        }

        @Override
        public long round(Trials.Round round) throws Exception {
            return WorkLoop.run(system, clients, round.items(), round.seed(), timeout).items();
        }

        @Override
        public boolean itemsMayBeCapped() {
            return true; // the check reads the final state, whatever number of items ran
        }

        @Override
        public String check() {
            long total = Stm.atomic(() -> {
                long sum = 0;
                for (int i = 0; i < balances.length(); i++) {
                    sum += balances.get(i);
                }
                return sum;
            });
            return conservation(total, balances.length());
        }
    }

    static String conservation(long total, int accounts) {
        long expected = accounts * INITIAL_BALANCE;
        return total == expected ? null
                : String.format(Locale.ROOT, "money not conserved: total %,d, expected %,d", total, expected);
    }

    // ---------------------------------------------------------------- accounts as actors

    /** Messages of an account actor. */
    public sealed interface AccountMsg permits Withdraw, Deposit, GetBalance {
    }

    /** Take {@code amount} and deposit it at {@code to}; {@code client} hears when the transfer is over. */
    public record Withdraw(long amount, ActorRef<AccountMsg> to, ActorRef<ClientMsg> client) implements AccountMsg {
    }

    /** Add {@code amount}, then acknowledge to {@code client}. */
    public record Deposit(long amount, ActorRef<ClientMsg> client) implements AccountMsg {
    }

    /** Reply with the balance. */
    public record GetBalance(ActorRef<Long> replyTo) implements AccountMsg {
    }

    /** Messages of a client actor. */
    public sealed interface ClientMsg permits Go, Ack {
    }

    /** Run {@code transfers} transfers, then tell {@code replyTo} how many. */
    public record Go(long transfers, long seed, ActorRef<Long> replyTo) implements ClientMsg {
    }

    /** The transfer in flight is over ({@code moved}: whether money moved). */
    public record Ack(boolean moved) implements ClientMsg {
    }

    /** A client's state: transfers left, random state, reply address. */
    public record ClientState(long remaining, long rng, long done, ActorRef<Long> replyTo) {
    }

    static final List<Class<?>> ACTOR_CLASSES = List.of(Withdraw.class, Deposit.class, GetBalance.class,
            Go.class, Ack.class, ClientState.class);

    private static final ClientState IDLE = new ClientState(0, 0, 0, null);

    static Behavior<AccountMsg> account() {
        return Behaviors.withState(INITIAL_BALANCE, (ctx, balance, msg) -> {
            if (msg instanceof Withdraw w) {
                if (balance < w.amount()) {
                    w.client().tell(new Ack(false));
                    return balance;
                }
                w.to().tell(new Deposit(w.amount(), w.client()));
                return balance - w.amount();
            }
            if (msg instanceof Deposit d) {
                d.client().tell(new Ack(true));
                return balance + d.amount();
            }
            ((GetBalance) msg).replyTo().tell(balance);
            return balance;
        });
    }

    /** A client; {@code accountRefs} is read-only after set-up. */
    static Behavior<ClientMsg> client(TArray<ActorRef<AccountMsg>> accountRefs) {
        return Behaviors.withState(IDLE, (ctx, state, msg) -> {
            if (msg instanceof Go go) {
                if (go.transfers() <= 0) {
                    go.replyTo().tell(0L);
                    return IDLE;
                }
                long rng = Rng.next(go.seed());
                sendTransfer(ctx.self(), accountRefs, Rng.mix(rng));
                return new ClientState(go.transfers(), rng, 0, go.replyTo());
            }
            if (state.replyTo() == null) {
                return state;
            }
            long remaining = state.remaining() - 1;
            if (remaining == 0) {
                state.replyTo().tell(state.done() + 1);
                return IDLE;
            }
            long rng = Rng.next(state.rng());
            sendTransfer(ctx.self(), accountRefs, Rng.mix(rng));
            return new ClientState(remaining, rng, state.done() + 1, state.replyTo());
        });
    }

    private static void sendTransfer(ActorRef<ClientMsg> self, TArray<ActorRef<AccountMsg>> accountRefs, long random) {
        int n = accountRefs.length();
        int from = Rng.below(random, n);
        int to = (from + 1 + Rng.below(Rng.derive(random, 1), n - 1)) % n;
        long amount = 1 + Rng.below(Rng.derive(random, 2), MAX_AMOUNT);
        accountRefs.get(from).tell(new Withdraw(amount, accountRefs.get(to), self));
    }

    private static final class ActorsTrial extends Trials.ActorTrial {
        private final TArray<ActorRef<AccountMsg>> accountRefs;
        private final List<ActorRef<ClientMsg>> clients = new ArrayList<>();
        private final Duration timeout;

        ActorsTrial(ActorSystem system, int accounts, int clients, Duration timeout) {
            super(system);
            this.timeout = timeout;
            this.accountRefs = TArray.named("bank.accountRef", accounts);
            Behavior<AccountMsg> account = account();
            for (int i = 0; i < accounts; i++) {
                accountRefs.set(i, system.spawn(account, "account-" + i));
            }
            Behavior<ClientMsg> client = client(accountRefs);
            for (int i = 0; i < clients; i++) {
                this.clients.add(system.spawn(client, "client-" + i));
            }
        }

        @Override
        public long round(Trials.Round round) throws Exception {
            long items = round.items();
            long seed = round.seed();
            int n = clients.size();
            List<CompletableFuture<Long>> replies = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long share = items / n + (i < items % n ? 1 : 0);
                long streamSeed = Rng.stream(seed, i);
                replies.add(system.<ClientMsg, Long>ask(clients.get(i), r -> new Go(share, streamSeed, r), timeout));
            }
            long done = 0;
            for (CompletableFuture<Long> reply : replies) {
                done += reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return done;
        }

        @Override
        public boolean itemsMayBeCapped() {
            return true; // the check reads the final state, whatever number of items ran
        }

        @Override
        public String check() throws Exception {
            long total = 0;
            for (int i = 0; i < accountRefs.length(); i++) {
                total += system.<AccountMsg, Long>ask(accountRefs.get(i), GetBalance::new, timeout)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return conservation(total, accountRefs.length());
        }
    }
}
