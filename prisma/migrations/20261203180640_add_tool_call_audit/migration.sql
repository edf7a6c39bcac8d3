-- CreateTable
CREATE TABLE "ToolCall" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" TEXT,
    "clientId" TEXT,
    "tool" TEXT NOT NULL,
    "scopes" TEXT[],
    "decision" TEXT NOT NULL,
    "reason" TEXT,
    "outcome" TEXT,
    "durationMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "arguments" JSONB,

    CONSTRAINT "ToolCall_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ToolCall_at_idx" ON "ToolCall"("at");

-- CreateIndex
CREATE INDEX "ToolCall_userId_at_idx" ON "ToolCall"("userId", "at");

-- CreateIndex
CREATE INDEX "ToolCall_clientId_at_idx" ON "ToolCall"("clientId", "at");
