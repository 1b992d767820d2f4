import { useState } from "react";
import { api, unwrap, type AdminReview } from "../api";
import { Done, PageTitle, Pager, Problem, When } from "../components/ui";
import { useAction, useLoad } from "../hooks";

type Status = "pending" | "approved" | "rejected";

/** One review with its moderation buttons. */
function ReviewItem({ review, onModerated }: { review: AdminReview; onModerated: (r: AdminReview) => void }) {
  const action = useAction();
  const [done, setDone] = useState("");
  async function moderate(to: "approve" | "reject") {
    const path = { params: { path: { id: review.id } } };
    const changed = await action.run(async () =>
      unwrap(
        to === "approve"
          ? await api.POST("/api/v1/admin/reviews/{id}/approve", path)
          : await api.POST("/api/v1/admin/reviews/{id}/reject", path),
      ),
    );
    if (changed) {
      setDone(to === "approve" ? "Approved: it shows on the product page." : "Rejected.");
      onModerated(changed);
    }
  }
  return (
    <li className="rounded border border-night-700 p-4">
      <h2 className="font-semibold text-white">
        {review.title} <span className="text-sm font-normal text-gray-300">({review.rating} of 5 stars)</span>
      </h2>
      <p className="text-sm text-gray-300">
        {review.product_id} · <When at={review.created_at} /> · {review.status}
      </p>
      <p className="mt-2 whitespace-pre-line">{review.body}</p>
      {review.status === "pending" && (
        <p className="mt-3 flex gap-2">
          <button type="button" className="button" disabled={action.busy} onClick={() => void moderate("approve")}>
            Approve<span className="sr-only"> “{review.title}”</span>
          </button>
          <button type="button" className="button-danger" disabled={action.busy} onClick={() => void moderate("reject")}>
            Reject<span className="sr-only"> “{review.title}”</span>
          </button>
        </p>
      )}
      <Problem>{action.error}</Problem>
      <Done>{done}</Done>
    </li>
  );
}

/** The moderation queue (or the approved and rejected reviews), oldest first. */
export function Reviews() {
  const [status, setStatus] = useState<Status>("pending");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const reviews = useLoad(
    async () => unwrap(await api.GET("/api/v1/admin/reviews", { params: { query: { status, cursor, limit: 20 } } })),
    [status, cursor],
  );
  const replace = (r: AdminReview) =>
    reviews.data && reviews.set({ ...reviews.data, data: reviews.data.data.map((x) => (x.id === r.id ? r : x)) });
  return (
    <>
      <PageTitle>Reviews</PageTitle>
      <label className="mb-4 block w-56">
        <span className="mb-1 block text-sm">Showing</span>
        <select
          className="field"
          value={status}
          onChange={(e) => {
            setCursors([undefined]);
            setStatus(e.target.value as Status);
          }}
        >
          <option value="pending">waiting for moderation</option>
          <option value="approved">approved</option>
          <option value="rejected">rejected</option>
        </select>
      </label>
      <Problem>{reviews.error}</Problem>
      {reviews.data && reviews.data.data.length === 0 && <p>No reviews here.</p>}
      <ul className="space-y-3">
        {reviews.data?.data.map((r) => (
          <ReviewItem key={r.id} review={r} onModerated={replace} />
        ))}
      </ul>
      <Pager label="Reviews" cursors={cursors} next={reviews.data?.next_cursor} onChange={setCursors} />
    </>
  );
}
