package io.stmactors.actors.internal;

import io.stmactors.actors.Terminated;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ClassCastExceptions met while handling Terminated count as "this actor's type does not take it". */
class TerminatedCastTest {

    @Test
    void theCastOfTerminatedItselfIsRecognisedOnHotSpotAndOpenJ9AndWhenCompiledCodeDropsTheMessage() {
        Object terminated = new Terminated(null);
        ClassCastException real = null;
        try {
            String s = (String) terminated;
            s.length();
        } catch (ClassCastException e) {
            real = e;
        }
        assertTrue(ActorCell.isCastOfTerminated(real), String.valueOf(real));
        assertTrue(ActorCell.isCastOfTerminated(new ClassCastException(
                Terminated.class.getName() + " incompatible with java.lang.String")), "OpenJ9's wording");
        assertTrue(ActorCell.isCastOfTerminated(new ClassCastException()), "a preallocated exception has no message");
    }

    @Test
    void anotherCastIsNot() {
        ClassCastException other = null;
        try {
            Object n = 42;
            String s = (String) n;
            s.length();
        } catch (ClassCastException e) {
            other = e;
        }
        assertFalse(ActorCell.isCastOfTerminated(other), String.valueOf(other));
        assertFalse(ActorCell.isCastOfTerminated(new ClassCastException("java.lang.Integer incompatible with java.lang.String")));
    }
}
