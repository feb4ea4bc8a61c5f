package io.stmactors.examples.cli;

import io.stmactors.examples.BankDemo;
import io.stmactors.examples.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stm-actors demo bank}. */
@Command(name = "bank", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Random transfers between accounts; the total must be conserved exactly.",
                "Accounts are elements of a TArray (refs: one transaction per transfer) or actors (actors: "
                        + "Withdraw -> Deposit -> Ack messages). Fewer accounts, more conflicts."})
public final class BankCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "N", order = 1,
            description = "Transfers per measured run (default: " + BankDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Option(names = "--accounts", paramLabel = "N", defaultValue = "1000", order = 2,
            description = "Number of accounts (default: ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--accounts-as", paramLabel = "refs|actors|both", defaultValue = "refs", order = 3,
            description = "How accounts are represented (default: ${DEFAULT-VALUE}).")
    String accountsAs;

    @Override
    protected Demo demo() {
        return new BankDemo().accounts(accounts).accountsAs(Variants.oneOrBoth("--accounts-as", accountsAs,
                "refs", BankDemo.AccountsAs.REFS, "actors", BankDemo.AccountsAs.ACTORS));
    }

    @Override
    protected Integer size() {
        return size;
    }
}
