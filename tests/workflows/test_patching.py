"""A patched change keeps an execution started by the old code running to completion.

The two classes stand for one workflow before and after a release; they share the workflow
name, as the deployed code would. See docs/evolving-workflows.md.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker


@activity.defn
async def step(name: str) -> str:
    return name


@workflow.defn(name="PatchDemo", sandboxed=False)
class Before:
    @workflow.run
    async def run(self) -> list[str]:
        done = [await workflow.execute_activity(step, "draft", start_to_close_timeout=timedelta(seconds=10))]
        await workflow.sleep(timedelta(days=30))
        done.append(await workflow.execute_activity(step, "execute", start_to_close_timeout=timedelta(seconds=10)))
        return done


@workflow.defn(name="PatchDemo", sandboxed=False)
class After:
    @workflow.run
    async def run(self) -> list[str]:
        done = [await workflow.execute_activity(step, "draft", start_to_close_timeout=timedelta(seconds=10))]
        if workflow.patched("notify-before-wait"):
            done.append(await workflow.execute_activity(step, "notify", start_to_close_timeout=timedelta(seconds=10)))
        await workflow.sleep(timedelta(days=30))
        done.append(await workflow.execute_activity(step, "execute", start_to_close_timeout=timedelta(seconds=10)))
        return done


async def test_old_execution_completes_under_patched_code(env: WorkflowEnvironment) -> None:
    queue = f"patch-{uuid.uuid4()}"
    # no sticky cache: the next worker must pick the execution up at once, as after a deploy
    async with Worker(env.client, task_queue=queue, workflows=[Before], activities=[step], max_cached_workflows=0):
        old = await env.client.start_workflow("PatchDemo", id=f"old-{queue}", task_queue=queue, result_type=list[str])
        await env.sleep(timedelta(days=1))  # old code has run its first activity and waits
    async with Worker(env.client, task_queue=queue, workflows=[After], activities=[step], max_cached_workflows=0):
        new = await env.client.start_workflow("PatchDemo", id=f"new-{queue}", task_queue=queue, result_type=list[str])
        await env.sleep(timedelta(days=31))
        assert await old.result() == ["draft", "execute"]
        assert await new.result() == ["draft", "notify", "execute"]
