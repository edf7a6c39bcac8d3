-- CreateTable
CREATE TABLE "ConnectionEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "step" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "clientId" TEXT,
    "userId" UUID,
    "source" TEXT,
    "rule" TEXT,
    "detail" TEXT NOT NULL,
    "facts" JSONB,

    CONSTRAINT "ConnectionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConnectionEvent_clientId_at_idx" ON "ConnectionEvent"("clientId", "at");

-- CreateIndex
CREATE INDEX "ConnectionEvent_userId_at_idx" ON "ConnectionEvent"("userId", "at");

-- CreateIndex
CREATE INDEX "ConnectionEvent_source_at_idx" ON "ConnectionEvent"("source", "at");

-- CreateIndex
CREATE INDEX "ConnectionEvent_at_idx" ON "ConnectionEvent"("at");
