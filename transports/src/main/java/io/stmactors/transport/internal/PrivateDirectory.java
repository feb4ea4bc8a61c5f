package io.stmactors.transport.internal;

import com.sun.security.auth.module.UnixSystem;
import io.stmactors.transport.TransportException;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Creates and checks the directory that holds the inbox files. The inboxes accept writes from any process that can
 * open them, so the directory must be reachable by its owner only: created {@code rwx------}, and an existing one is
 * refused if it is a symbolic link, owned by someone else, or open to group or others.
 * <p>
 * Thread-safety: stateless; concurrent creation by several processes is tolerated.
 */
public final class PrivateDirectory
{
    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private PrivateDirectory()
    {
    }

    /**
     * Create the directory (and missing parents) if absent, then check it is private.
     *
     * @param directory to create or check.
     * @throws TransportException if it cannot be created or is not private.
     */
    public static void ensure(final Path directory)
    {
        try
        {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
            {
                final Path parent = directory.getParent();
                if (null != parent)
                {
                    Files.createDirectories(parent);
                }
                try
                {
                    Files.createDirectory(directory, permissions(DIRECTORY_PERMISSIONS));
                    Files.setPosixFilePermissions(directory, DIRECTORY_PERMISSIONS);
                }
                catch (final FileAlreadyExistsException ignore)
                {
                    // another endpoint created it first; checked below like any existing directory
                }
            }
            check(directory);
        }
        catch (final UnsupportedOperationException ex)
        {
            throw new TransportException("Shared-memory transport needs a POSIX file system: " + directory, ex);
        }
        catch (final IOException ex)
        {
            throw new TransportException("Cannot create transport directory " + directory + ": " + ex, ex);
        }
    }

    /**
     * Delete the directory if it is empty; a no-op if other endpoints still have files in it or it is gone.
     *
     * @param directory to delete.
     */
    public static void deleteIfEmpty(final Path directory)
    {
        try
        {
            Files.deleteIfExists(directory);
        }
        catch (final DirectoryNotEmptyException | NoSuchFileException ignore)
        {
            // still in use by another endpoint, or already removed
        }
        catch (final IOException ignore)
        {
            // best effort: a leftover empty private directory is harmless
        }
    }

    /**
     * @param permissions POSIX permissions.
     * @return them as a file attribute for atomic creation.
     */
    public static FileAttribute<Set<PosixFilePermission>> permissions(final Set<PosixFilePermission> permissions)
    {
        return PosixFilePermissions.asFileAttribute(permissions);
    }

    private static void check(final Path directory) throws IOException
    {
        if (Files.isSymbolicLink(directory))
        {
            throw new TransportException("Transport directory " + directory + " is a symbolic link; use a real " +
                "private directory");
        }
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
        {
            throw new TransportException("Transport directory " + directory + " is not a directory");
        }

        final Object ownerUid = Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        final long myUid = new UnixSystem().getUid();
        if (!(ownerUid instanceof Integer) || (Integer)ownerUid != myUid)
        {
            final UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
            throw new TransportException("Transport directory " + directory + " is owned by " + owner.getName() +
                " (uid " + ownerUid + "), not by this process's user (uid " + myUid + ")");
        }

        final Set<PosixFilePermission> actual = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
        for (final PosixFilePermission permission : actual)
        {
            if (!DIRECTORY_PERMISSIONS.contains(permission))
            {
                throw new TransportException("Transport directory " + directory + " has permissions " +
                    PosixFilePermissions.toString(actual) + "; it must be private to its owner (chmod 700 " +
                    directory + ")");
            }
        }
    }
}
