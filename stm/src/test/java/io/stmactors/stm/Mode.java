package io.stmactors.stm;

/** Where a test makes its calls: each on its own outside a transaction, or inside one. */
enum Mode {
    OUTSIDE_TRANSACTION {
        @Override
        <T> T call(TxnCallable<T> body) {
            try {
                return body.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    },
    INSIDE_TRANSACTION {
        @Override
        <T> T call(TxnCallable<T> body) {
            return Stm.atomic(body);
        }
    };

    abstract <T> T call(TxnCallable<T> body);
}
