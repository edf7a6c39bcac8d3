-- CreateTable
CREATE TABLE "SshHost" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "username" TEXT NOT NULL,
    "hostKey" TEXT NOT NULL,
    "privateKeyEncrypted" TEXT NOT NULL,
    "commandAllowList" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SshHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SshGrant" (
    "userId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SshGrant_pkey" PRIMARY KEY ("userId","hostId")
);

-- CreateTable
CREATE TABLE "SshExecution" (
    "id" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "hostName" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "exitCode" INTEGER,
    "signal" TEXT,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "bytesOut" INTEGER NOT NULL DEFAULT 0,
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SshExecution_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SshHost_name_key" ON "SshHost"("name");

-- CreateIndex
CREATE INDEX "SshGrant_hostId_idx" ON "SshGrant"("hostId");

-- CreateIndex
CREATE INDEX "SshExecution_userId_at_idx" ON "SshExecution"("userId", "at");

-- CreateIndex
CREATE INDEX "SshExecution_hostName_at_idx" ON "SshExecution"("hostName", "at");

-- AddForeignKey
ALTER TABLE "SshGrant" ADD CONSTRAINT "SshGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SshGrant" ADD CONSTRAINT "SshGrant_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "SshHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
