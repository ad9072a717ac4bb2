import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { CSSProperties, ReactNode } from "react";

interface SortableGroupProps {
  /** The ids in their order as shown. */
  ids: string[];
  /** The name of an item, for what screen readers are told while it is dragged. */
  nameOf: (id: string) => string;
  /** `id` was dropped at index `to` (of the list with it removed). */
  onMove: (id: string, to: number) => void;
  children: ReactNode;
}

/**
 * A vertical list reordered by dragging a handle with the mouse or touch, or from the keyboard
 * (focus the handle, Space to pick up, arrows to move, Space to drop, Escape to cancel).
 */
export function SortableGroup({ ids, nameOf, onMove, children }: SortableGroupProps) {
  const sensors = useSensors(
    // A few pixels of travel before a drag starts, so that a click on the handle stays a click.
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const position = (id: string | number) => ids.indexOf(String(id)) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${nameOf(String(active.id))}, position ${position(active.id)} of ${ids.length}.`,
    onDragOver: ({ active, over }) =>
      over ? `${nameOf(String(active.id))} is now at position ${position(over.id)} of ${ids.length}.` : undefined,
    onDragEnd: ({ active, over }) =>
      over
        ? `${nameOf(String(active.id))} dropped at position ${position(over.id)} of ${ids.length}.`
        : `${nameOf(String(active.id))} dropped.`,
    onDragCancel: ({ active }) => `Moving ${nameOf(String(active.id))} was cancelled.`,
  };
  function onDragEnd({ active, over }: DragEndEvent) {
    if (!over || active.id === over.id) return;
    const to = ids.indexOf(String(over.id));
    if (to !== -1) onMove(String(active.id), to);
  }
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable: "To reorder, press Space or Enter to pick up, the arrow keys to move, Space or Enter to drop, Escape to cancel.",
        },
      }}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        {children}
      </SortableContext>
    </DndContext>
  );
}

/** One item of a SortableGroup: its element ref and style, and the props of its drag handle. */
export function useSortableItem(id: string, disabled = false) {
  const s = useSortable({ id, disabled });
  const style: CSSProperties = { transform: CSS.Translate.toString(s.transform), transition: s.transition };
  return {
    ref: s.setNodeRef,
    style,
    dragging: s.isDragging,
    listeners: s.listeners,
    handle: { ref: s.setActivatorNodeRef, ...s.attributes, ...s.listeners },
  };
}
